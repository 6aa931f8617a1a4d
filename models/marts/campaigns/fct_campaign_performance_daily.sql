{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the days of the
    open months only; the days of closed months keep the curve as reported (cumulative figures of open days are
    computed from every day of the campaign, as of today). -#}
{{ config(**month_snapshot_config(month_column='business_date')) }}
with

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current

),

funnel as (

    select * from {{ ref('int_campaign_touches_pivoted') }}

),

coupons as (

    select * from {{ ref('int_coupons_tracked') }}
    where has_issue_record

),

attributed as (

    select * from {{ ref('int_campaign_orders_attributed') }}

),

outcomes as (

    select * from {{ ref('int_campaign_member_outcomes') }}
    where not has_conflicting_assignment

),

orders as (

    select * from {{ ref('int_campaign_member_orders') }}

),

day_offsets as (

    {{ dbt.generate_series(var('campaign_curve_max_days')) }}

),

-- The curve runs from the start date to the end date plus the attribution window (orders credited to the
-- last touches land up to then), capped at campaign_curve_max_days days.
campaign_days as (

    select
        campaigns.campaign_id,
        campaigns.start_date,
        cast({{ dbt.dateadd('day', 'day_offsets.generated_number - 1', 'campaigns.start_date') }} as date)
            as business_date,
        day_offsets.generated_number as day_number
    from campaigns
    inner join day_offsets
        on day_offsets.generated_number - 1
            <= {{ dbt.datediff('campaigns.start_date', 'campaigns.end_date', 'day') }}
            + {{ var('campaign_attribution_window_days') }}

),

reached_daily as (

    select
        campaign_id,
        cast({{ utc_to_shanghai_local('delivered_at') }} as date) as business_date,
        count(*) as reached_card_count
    from funnel
    where is_reached
    group by
        campaign_id,
        cast({{ utc_to_shanghai_local('delivered_at') }} as date)

),

issued_daily as (

    select
        campaign_id,
        cast({{ utc_to_shanghai_local('issued_at') }} as date) as business_date,
        count(*) as coupons_issued_count
    from coupons
    group by
        campaign_id,
        cast({{ utc_to_shanghai_local('issued_at') }} as date)

),

redeemed_daily as (

    select
        campaign_id,
        redeemed_date as business_date,
        count(*) as coupons_redeemed_count,
        sum(redeemed_face_value_amount) as coupon_cost_amount
    from coupons
    where is_redeemed
    group by
        campaign_id,
        redeemed_date

),

attributed_daily as (

    select
        campaign_id,
        business_date,
        count(*) as attributed_order_count,
        sum(net_sales_amount) as attributed_net_sales_amount
    from attributed
    group by campaign_id, business_date

),

group_sizes as (

    select
        campaign_id,
        count(case when not is_holdout then 1 end) as treated_member_count,
        count(case when is_holdout then 1 end) as holdout_member_count
    from outcomes
    group by campaign_id

),

-- Every audience member's sales by day from the campaign's start, treated and holdout alike.
audience_sales_daily as (

    select
        outcomes.campaign_id,
        orders.business_date,
        sum(case when not outcomes.is_holdout then orders.net_sales_amount else 0 end) as treated_net_sales_amount,
        sum(case when outcomes.is_holdout then orders.net_sales_amount else 0 end) as holdout_net_sales_amount
    from outcomes
    inner join orders
        on outcomes.member_id = orders.member_id
            and outcomes.anchor_date <= orders.business_date
            -- no curve runs longer than campaign_curve_max_days; later orders would only be thrown away
            and orders.business_date < {{ dbt.dateadd('day', var('campaign_curve_max_days'), 'outcomes.anchor_date') }}
    group by outcomes.campaign_id, orders.business_date

),

joined as (

    select
        campaign_days.campaign_id,
        campaign_days.business_date,
        campaign_days.day_number,
        coalesce(reached_daily.reached_card_count, 0) as reached_card_count,
        coalesce(issued_daily.coupons_issued_count, 0) as coupons_issued_count,
        coalesce(redeemed_daily.coupons_redeemed_count, 0) as coupons_redeemed_count,
        coalesce(redeemed_daily.coupon_cost_amount, 0) as coupon_cost_amount,
        coalesce(attributed_daily.attributed_order_count, 0) as attributed_order_count,
        coalesce(attributed_daily.attributed_net_sales_amount, 0) as attributed_net_sales_amount,
        coalesce(audience_sales_daily.treated_net_sales_amount, 0) as treated_net_sales_amount,
        coalesce(audience_sales_daily.holdout_net_sales_amount, 0) as holdout_net_sales_amount,
        group_sizes.treated_member_count,
        group_sizes.holdout_member_count
    from campaign_days
    left join reached_daily
        on campaign_days.campaign_id = reached_daily.campaign_id
            and campaign_days.business_date = reached_daily.business_date
    left join issued_daily
        on campaign_days.campaign_id = issued_daily.campaign_id
            and campaign_days.business_date = issued_daily.business_date
    left join redeemed_daily
        on campaign_days.campaign_id = redeemed_daily.campaign_id
            and campaign_days.business_date = redeemed_daily.business_date
    left join attributed_daily
        on campaign_days.campaign_id = attributed_daily.campaign_id
            and campaign_days.business_date = attributed_daily.business_date
    left join audience_sales_daily
        on campaign_days.campaign_id = audience_sales_daily.campaign_id
            and campaign_days.business_date = audience_sales_daily.business_date
    left join group_sizes
        on campaign_days.campaign_id = group_sizes.campaign_id

),

cumulated as (

    select
        joined.*,
        sum(joined.reached_card_count) over campaign_to_date as cumulative_reached_card_count,
        sum(joined.coupons_issued_count) over campaign_to_date as cumulative_coupons_issued_count,
        sum(joined.coupons_redeemed_count) over campaign_to_date as cumulative_coupons_redeemed_count,
        sum(joined.coupon_cost_amount) over campaign_to_date as cumulative_coupon_cost_amount,
        sum(joined.attributed_order_count) over campaign_to_date as cumulative_attributed_order_count,
        sum(joined.attributed_net_sales_amount) over campaign_to_date as cumulative_attributed_net_sales_amount,
        sum(joined.treated_net_sales_amount) over campaign_to_date as cumulative_treated_net_sales_amount,
        sum(joined.holdout_net_sales_amount) over campaign_to_date as cumulative_holdout_net_sales_amount
    from joined
    window campaign_to_date as (
        partition by campaign_id
        order by business_date
        rows between unbounded preceding and current row
    )

),

final as (

    select
        campaign_id,
        business_date,
        cast(day_number as integer) as day_number,
        cast(reached_card_count as bigint) as reached_card_count,
        cast(cumulative_reached_card_count as bigint) as cumulative_reached_card_count,
        cast(coupons_issued_count as bigint) as coupons_issued_count,
        cast(cumulative_coupons_issued_count as bigint) as cumulative_coupons_issued_count,
        cast(coupons_redeemed_count as bigint) as coupons_redeemed_count,
        cast(cumulative_coupons_redeemed_count as bigint) as cumulative_coupons_redeemed_count,
        cast(coupon_cost_amount as decimal(18, 2)) as coupon_cost_amount,
        cast(cumulative_coupon_cost_amount as decimal(18, 2)) as cumulative_coupon_cost_amount,
        cast(attributed_order_count as bigint) as attributed_order_count,
        cast(cumulative_attributed_order_count as bigint) as cumulative_attributed_order_count,
        cast(attributed_net_sales_amount as decimal(18, 2)) as attributed_net_sales_amount,
        cast(cumulative_attributed_net_sales_amount as decimal(18, 2)) as cumulative_attributed_net_sales_amount,
        {{ money_divide('cumulative_treated_net_sales_amount', 'treated_member_count') }}
            as cumulative_treated_net_sales_per_capita_amount,
        {{ money_divide('cumulative_holdout_net_sales_amount', 'holdout_member_count') }}
            as cumulative_holdout_net_sales_per_capita_amount,
        {{ money_divide(
            'cumulative_treated_net_sales_amount * holdout_member_count'
            ~ ' - cumulative_holdout_net_sales_amount * treated_member_count',
            'treated_member_count * holdout_member_count'
        ) }} as cumulative_lift_per_capita_amount
    from cumulated

)

select * from final
where {{ recomputed_months('business_date', lookback_months=0) }}
