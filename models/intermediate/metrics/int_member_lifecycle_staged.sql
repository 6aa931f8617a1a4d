{#- Closed months frozen (macros/incremental/month_freeze.sql): an incremental run recomputes the open months and
    the month before the first of them, which the marts compare the open month with. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
-- Lifecycle stage per member and snapshot month, for every member known on the snapshot date, with the
-- repurchase-cycle group (playbook 002: within the usual repurchase interval, beyond it, sleeping) and the
-- first-order entry group. Stages are tested in this order, the first that applies wins:
--   prospect  no purchase yet (known identity, enrolled or not)
--   new       first purchase at most lifecycle_new_max_days ago
--   churned   latest purchase more than lifecycle_churned_after_days ago
--   dormant   latest purchase more than lifecycle_dormant_after_days ago
--   at_risk   latest purchase more than lifecycle_at_risk_after_days ago
--   loyal     at least lifecycle_loyal_min_purchases purchases in the loyalty window
--   growing   every other recent buyer
with

snapshots as (

    select * from {{ ref('int_member_snapshots_enriched') }}
    where {{ recomputed_months('snapshot_month', lookback_months=1) }}

),

milestones as (

    select * from {{ ref('metric_journey_milestones') }}

),

first_order_split as (

    select * from {{ ref('int_first_order_value_split_computed') }}

),

entry_groups as (

    select * from {{ ref('metric_first_order_value_groups') }}

),

staged as (

    select
        snapshots.member_id,
        snapshots.snapshot_month,
        snapshots.snapshot_date,
        snapshots.is_enrolled,
        snapshots.first_purchase_date,
        snapshots.last_purchase_date,
        snapshots.days_since_first_purchase,
        snapshots.recency_days,
        snapshots.lifetime_purchases,
        snapshots.loyal_window_purchases,
        snapshots.repurchase_interval_days,
        snapshots.repurchase_interval_source,
        snapshots.first_purchase_amount,
        case
            when snapshots.first_purchase_date is null then 'prospect'
            when snapshots.days_since_first_purchase <= {{ var('lifecycle_new_max_days') }} then 'new'
            when snapshots.recency_days > {{ var('lifecycle_churned_after_days') }} then 'churned'
            when snapshots.recency_days > {{ var('lifecycle_dormant_after_days') }} then 'dormant'
            when snapshots.recency_days > {{ var('lifecycle_at_risk_after_days') }} then 'at_risk'
            when snapshots.loyal_window_purchases >= {{ var('lifecycle_loyal_min_purchases') }} then 'loyal'
            else 'growing'
        end as lifecycle_stage_code,
        case
            when snapshots.repurchase_interval_days is null then null
            when snapshots.recency_days <= snapshots.repurchase_interval_days then 'within_cycle'
            when snapshots.recency_days
                <= {{ var('repurchase_cycle_sleeping_multiple') }} * snapshots.repurchase_interval_days
                then 'beyond_cycle'
            else 'sleeping'
        end as repurchase_cycle_group_code
    from snapshots

),

-- the latest journey milestone a new member has reached (day 3, 7, 15, 30 after the first purchase)
milestones_reached as (

    select
        staged.member_id,
        staged.snapshot_month,
        max(milestones.milestone_day) as journey_milestone_day
    from staged
    inner join milestones
        on staged.days_since_first_purchase >= milestones.milestone_day
    where staged.lifecycle_stage_code = 'new'
    group by staged.member_id, staged.snapshot_month

),

final as (

    select
        staged.member_id,
        staged.snapshot_month,
        staged.snapshot_date,
        staged.lifecycle_stage_code,
        lag(staged.lifecycle_stage_code) over (
            partition by staged.member_id order by staged.snapshot_month
        ) as previous_lifecycle_stage_code,
        staged.is_enrolled,
        staged.first_purchase_date,
        staged.last_purchase_date,
        staged.days_since_first_purchase,
        staged.recency_days,
        staged.lifetime_purchases,
        staged.loyal_window_purchases,
        milestones_reached.journey_milestone_day,
        staged.repurchase_interval_days,
        staged.repurchase_interval_source,
        staged.repurchase_cycle_group_code,
        staged.first_purchase_amount,
        first_order_split.split_amount as first_order_split_amount,
        first_order_split.explained_variance_ratio as first_order_split_explained_ratio,
        first_order_split.is_distinct_split as is_first_order_split_distinct,
        entry_groups.entry_group_code as first_order_entry_group_code
    from staged
    left join milestones_reached
        on staged.member_id = milestones_reached.member_id
            and staged.snapshot_month = milestones_reached.snapshot_month
    left join first_order_split
        on true
    left join entry_groups
        on staged.first_purchase_amount is not null
            and (staged.first_purchase_amount >= first_order_split.split_amount) = entry_groups.is_above_split

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=1) }}
