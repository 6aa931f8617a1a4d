-- One row per campaign and audience member (treated and holdout alike): what the member bought in the lift
-- window that opens on the campaign's start date, the same anchor for both groups, so holdout members
-- (who receive no touch) are measured over exactly the same days as treated ones. Members whose cards sit
-- in both groups of one campaign are left out (has_conflicting_assignment) and counted in the lift model.
-- The comparison is intention-to-treat: every treated member counts, reached or not.
with

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}
    where is_member_resolved

),

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current

),

touches as (

    select * from {{ ref('int_campaign_touches_pivoted') }}
    where member_id is not null

),

orders as (

    select * from {{ ref('int_campaign_member_orders') }}

),

audience_members as (

    select
        audiences.campaign_id,
        audiences.member_id,
        bool_or(audiences.is_holdout) as is_holdout,
        bool_or(audiences.has_conflicting_assignment) as has_conflicting_assignment,
        min(audiences.assigned_at) as assigned_at
    from audiences
    group by audiences.campaign_id, audiences.member_id

),

member_reach as (

    select
        campaign_id,
        member_id,
        bool_or(is_reached) as is_reached,
        min(delivered_at) as delivered_at
    from touches
    group by campaign_id, member_id

),

windowed as (

    select
        audience_members.campaign_id,
        audience_members.member_id,
        audience_members.is_holdout,
        audience_members.has_conflicting_assignment,
        audience_members.assigned_at,
        campaigns.start_date as anchor_date,
        {{ dbt.dateadd('day', var('campaign_lift_window_days') ~ ' - 1', 'campaigns.start_date') }}
            as window_end_date
    from audience_members
    inner join campaigns
        on audience_members.campaign_id = campaigns.campaign_id

),

window_orders as (

    select
        windowed.campaign_id,
        windowed.member_id,
        count(orders.order_id) as window_order_count,
        coalesce(sum(orders.net_sales_amount), 0) as window_net_sales_amount
    from windowed
    inner join orders
        on windowed.member_id = orders.member_id
            and windowed.anchor_date <= orders.business_date
            and windowed.window_end_date >= orders.business_date
    group by windowed.campaign_id, windowed.member_id

),

final as (

    select
        windowed.campaign_id,
        windowed.member_id,
        case when windowed.is_holdout then 'holdout' else 'treated' end as audience_group,
        windowed.is_holdout,
        windowed.has_conflicting_assignment,
        windowed.assigned_at,
        coalesce(member_reach.is_reached, false) as is_reached,
        member_reach.delivered_at,
        windowed.anchor_date,
        cast(windowed.window_end_date as date) as window_end_date,
        coalesce(window_orders.window_order_count, 0) as window_order_count,
        cast(coalesce(window_orders.window_net_sales_amount, 0) as decimal(18, 2)) as window_net_sales_amount
    from windowed
    left join member_reach
        on windowed.campaign_id = member_reach.campaign_id
            and windowed.member_id = member_reach.member_id
    left join window_orders
        on windowed.campaign_id = window_orders.campaign_id
            and windowed.member_id = window_orders.member_id

)

select * from final
