{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
with

lifecycle as (

    select * from {{ ref('int_member_lifecycle_staged') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

stages as (

    select * from {{ ref('metric_lifecycle_stages') }}

),

cycle_groups as (

    select * from {{ ref('metric_repurchase_cycle_groups') }}

),

entry_groups as (

    select * from {{ ref('metric_first_order_value_groups') }}

),

final as (

    select
        lifecycle.member_id,
        lifecycle.snapshot_month,
        lifecycle.snapshot_date,
        lifecycle.lifecycle_stage_code,
        stages.stage_name_zh as lifecycle_stage_name_zh,
        stages.stage_name_en as lifecycle_stage_name_en,
        lifecycle.previous_lifecycle_stage_code,
        lifecycle.is_enrolled,
        lifecycle.first_purchase_date,
        lifecycle.last_purchase_date,
        cast(lifecycle.days_since_first_purchase as integer) as days_since_first_purchase,
        cast(lifecycle.recency_days as integer) as recency_days,
        cast(lifecycle.lifetime_purchases as integer) as lifetime_purchases,
        cast(lifecycle.loyal_window_purchases as integer) as loyal_window_purchases,
        cast(lifecycle.journey_milestone_day as integer) as journey_milestone_day,
        cast(lifecycle.repurchase_interval_days as double) as repurchase_interval_days,
        lifecycle.repurchase_interval_source,
        lifecycle.repurchase_cycle_group_code,
        cycle_groups.cycle_group_name_zh as repurchase_cycle_group_name_zh,
        cycle_groups.cycle_group_name_en as repurchase_cycle_group_name_en,
        cast(lifecycle.first_purchase_amount as decimal(18, 2)) as first_purchase_amount,
        cast(lifecycle.first_order_split_amount as decimal(18, 2)) as first_order_split_amount,
        lifecycle.first_order_split_explained_ratio,
        lifecycle.is_first_order_split_distinct,
        lifecycle.first_order_entry_group_code,
        entry_groups.entry_group_name_zh as first_order_entry_group_name_zh,
        entry_groups.entry_group_name_en as first_order_entry_group_name_en,
        lifecycle.snapshot_date
        >= {{ dbt.dateadd('day', var('lifecycle_churned_after_days'), 'months.data_start_date') }}
            as has_full_window,
        months.is_latest_snapshot
    from lifecycle
    inner join months
        on lifecycle.snapshot_month = months.snapshot_month
    inner join stages
        on lifecycle.lifecycle_stage_code = stages.stage_code
    left join cycle_groups
        on lifecycle.repurchase_cycle_group_code = cycle_groups.cycle_group_code
    left join entry_groups
        on lifecycle.first_order_entry_group_code = entry_groups.entry_group_code

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
