{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config(month_column='month_start_date')) }}
with

store_months as (

    select * from {{ ref('int_store_months_spined') }}

),

sales as (

    select * from {{ ref('int_store_sales_monthly') }}

),

o2o as (

    select * from {{ ref('int_store_o2o_monthly') }}

),

top_scores as (

    select * from {{ ref('int_store_top_scored') }}

),

-- 会员占比 and the member sales share, the same figures fct_member_kpis_monthly shows for scope `store`
member_share as (

    select * from {{ ref('int_member_share_monthly') }}
    where scope_type = 'store'

),

joined as (

    select
        store_months.store_id,
        store_months.month_start_date,
        store_months.banner_code,
        store_months.floor_area_sqm,
        store_months.calendar_day_count,
        store_months.open_day_count,
        store_months.is_opened_in_month,
        store_months.is_closed_in_month,
        coalesce(sales.ticket_count, 0) as ticket_count,
        coalesce(sales.net_sales_amount, 0) as net_sales_amount,
        coalesce(sales.identified_ticket_count, 0) as identified_ticket_count,
        coalesce(member_share.member_transaction_count, 0) as member_ticket_count,
        member_share.member_transaction_share as member_ticket_share,
        member_share.identified_transaction_share as identified_ticket_share,
        coalesce(member_share.staff_transaction_count, 0) as staff_ticket_count,
        coalesce(member_share.member_net_sales_amount, 0) as member_net_sales_amount,
        member_share.member_net_sales_share,
        coalesce(sales.members_served_count, 0) as members_served_count,
        coalesce(sales.wecom_bound_members_served_count, 0) as wecom_bound_members_served_count,
        coalesce(o2o.scheduled_minutes, 0) as o2o_scheduled_minutes,
        coalesce(o2o.online_minutes, 0) as o2o_online_minutes,
        coalesce(o2o.o2o_order_count, 0) as o2o_order_count,
        coalesce(o2o.o2o_cancelled_order_count, 0) as o2o_cancelled_order_count,
        coalesce(o2o.o2o_delivered_order_count, 0) as o2o_delivered_order_count,
        coalesce(o2o.o2o_on_time_order_count, 0) as o2o_on_time_order_count,
        top_scores.time_online_rate,
        top_scores.order_penetration_rate,
        top_scores.punctuality_rate,
        top_scores.time_online_percentile,
        top_scores.order_penetration_percentile,
        top_scores.punctuality_percentile,
        top_scores.top_score,
        top_scores.top_score_percentile,
        top_scores.peer_group,
        top_scores.tier_code,
        top_scores.top_unranked_reason
    from store_months
    left join sales
        on store_months.store_id = sales.store_id
            and store_months.month_start_date = sales.month_start_date
    left join o2o
        on store_months.store_id = o2o.store_id
            and store_months.month_start_date = o2o.month_start_date
    left join top_scores
        on store_months.store_id = top_scores.store_id
            and store_months.month_start_date = top_scores.month_start_date
    left join member_share
        on store_months.store_id = member_share.scope_value
            and store_months.month_start_date = member_share.month_start_date

),

with_history as (

    select
        joined.*,
        lag(joined.tier_code) over (partition by joined.store_id order by joined.month_start_date) as previous_tier_code
    from joined

),

final as (

    select
        store_id,
        month_start_date,
        banner_code,
        cast(floor_area_sqm as decimal(18, 2)) as floor_area_sqm,
        cast(calendar_day_count as integer) as calendar_day_count,
        cast(open_day_count as integer) as open_day_count,
        is_opened_in_month,
        is_closed_in_month,
        cast(ticket_count as bigint) as ticket_count,
        cast(net_sales_amount as decimal(18, 2)) as net_sales_amount,
        {{ money_divide('net_sales_amount', 'open_day_count') }} as net_sales_per_open_day_amount,
        -- 坪效: the month's sales scaled to a year by the days the store was actually open, per m² of floor.
        {{ money_divide('net_sales_amount * 365', 'open_day_count * floor_area_sqm') }}
            as annualised_sales_per_sqm_amount,
        cast(member_ticket_count as bigint) as member_ticket_count,
        cast(member_ticket_share as double) as member_ticket_share,
        cast(identified_ticket_share as double) as identified_ticket_share,
        cast(staff_ticket_count as bigint) as staff_ticket_count,
        cast(member_net_sales_amount as decimal(18, 2)) as member_net_sales_amount,
        cast(member_net_sales_share as double) as member_net_sales_share,
        cast(members_served_count as bigint) as members_served_count,
        {{ metric_safe_divide('identified_ticket_count', 'members_served_count') }} as member_visit_frequency,
        cast(wecom_bound_members_served_count as bigint) as wecom_bound_members_served_count,
        {{ metric_safe_divide('wecom_bound_members_served_count', 'members_served_count') }} as wecom_binding_rate,
        cast(o2o_scheduled_minutes as bigint) as o2o_scheduled_minutes,
        cast(o2o_online_minutes as bigint) as o2o_online_minutes,
        cast(o2o_order_count as bigint) as o2o_order_count,
        cast(o2o_cancelled_order_count as bigint) as o2o_cancelled_order_count,
        cast(o2o_delivered_order_count as bigint) as o2o_delivered_order_count,
        cast(o2o_on_time_order_count as bigint) as o2o_on_time_order_count,
        cast(time_online_rate as double) as time_online_rate,
        cast(order_penetration_rate as double) as order_penetration_rate,
        cast(punctuality_rate as double) as punctuality_rate,
        cast(time_online_percentile as double) as time_online_percentile,
        cast(order_penetration_percentile as double) as order_penetration_percentile,
        cast(punctuality_percentile as double) as punctuality_percentile,
        cast(top_score as double) as top_score,
        cast(top_score_percentile as double) as top_score_percentile,
        peer_group as tier_peer_group,
        tier_code,
        top_unranked_reason,
        previous_tier_code,
        coalesce(tier_code <> previous_tier_code, false) as is_tier_changed
    from with_history

)

select * from final
where {{ recomputed_months('month_start_date', lookback_months=0) }}
