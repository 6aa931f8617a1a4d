-- One row per member order that falls inside the attribution window of at least one campaign touch, credited
-- to exactly one campaign: the touch delivered most recently before the order wins (last touch), ties broken
-- by campaign_id so the result is deterministic. Windows are measured on UTC timestamps, touch delivery to
-- order time, [delivered_at, delivered_at + campaign_attribution_window_days).
with

touches as (

    select * from {{ ref('int_campaign_touches_pivoted') }}
    where is_reached
        and member_id is not null

),

orders as (

    select * from {{ ref('int_campaign_member_orders') }}

),

-- A member holding two touched cards in one campaign is one touch, at the first delivery.
member_touches as (

    select
        campaign_id,
        member_id,
        min(delivered_at) as delivered_at
    from touches
    group by campaign_id, member_id

),

candidates as (

    select
        orders.order_id,
        orders.member_id,
        orders.ordered_at,
        orders.business_date,
        orders.channel,
        orders.store_id,
        orders.net_sales_amount,
        member_touches.campaign_id,
        member_touches.delivered_at,
        count(*) over (partition by orders.order_id) as candidate_campaign_count,
        row_number() over (
            partition by orders.order_id
            order by member_touches.delivered_at desc, member_touches.campaign_id desc
        ) as touch_recency_rank
    from orders
    inner join member_touches
        on orders.member_id = member_touches.member_id
            and orders.ordered_at >= member_touches.delivered_at
            and orders.ordered_at < {{ dbt.dateadd(
            'day', var('campaign_attribution_window_days'), 'member_touches.delivered_at'
        ) }}

),

final as (

    select
        order_id,
        campaign_id,
        member_id,
        delivered_at as touch_delivered_at,
        ordered_at,
        business_date,
        channel,
        store_id,
        net_sales_amount,
        candidate_campaign_count,
        candidate_campaign_count > 1 as has_overlapping_touches
    from candidates
    where touch_recency_rank = 1

)

select * from final
