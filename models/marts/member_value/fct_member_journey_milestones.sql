-- New-member journey triggers (playbook 001: touch a new member 3, 7, 15 and 30 days after joining): one row
-- per member and milestone of seed metric_journey_milestones that the member has reached by the as-of date,
-- counted from the member's first purchase. A journey tool selects `milestone_date = <today>`; whether the
-- member has already come back tells it which message to send.
with

first_purchases as (

    select * from {{ ref('int_member_first_purchases_profiled') }}

),

purchases as (

    select * from {{ ref('int_member_purchases_sequenced') }}

),

milestones as (

    select * from {{ ref('metric_journey_milestones') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where is_latest_snapshot

),

reached as (

    select
        first_purchases.member_id,
        first_purchases.first_purchase_date,
        milestones.milestone_day,
        milestones.milestone_code,
        milestones.milestone_name_zh,
        milestones.milestone_name_en,
        cast({{ dbt.dateadd('day', 'milestones.milestone_day', 'first_purchases.first_purchase_date') }} as date)
            as milestone_date
    from first_purchases
    cross join milestones
    inner join months
        on {{ dbt.dateadd('day', 'milestones.milestone_day', 'first_purchases.first_purchase_date') }}
            <= months.as_of_date

),

-- purchases after the first purchase day, up to and including the milestone date
comebacks as (

    select
        reached.member_id,
        reached.milestone_day,
        count(purchases.order_id) as repeat_purchases,
        sum(purchases.net_sales_amount) as repeat_net_sales_amount
    from reached
    inner join purchases
        on reached.member_id = purchases.member_id
            and reached.first_purchase_date < purchases.business_date
            and reached.milestone_date >= purchases.business_date
    group by reached.member_id, reached.milestone_day

),

final as (

    select
        reached.member_id,
        cast(reached.milestone_day as integer) as milestone_day,
        reached.milestone_code,
        reached.milestone_name_zh,
        reached.milestone_name_en,
        reached.first_purchase_date,
        reached.milestone_date,
        cast(coalesce(comebacks.repeat_purchases, 0) as integer) as repeat_purchases_by_milestone,
        cast(coalesce(comebacks.repeat_net_sales_amount, 0) as decimal(18, 2)) as repeat_net_sales_amount_by_milestone,
        coalesce(comebacks.repeat_purchases, 0) > 0 as has_repurchased_by_milestone
    from reached
    left join comebacks
        on reached.member_id = comebacks.member_id
            and reached.milestone_day = comebacks.milestone_day

)

select * from final
