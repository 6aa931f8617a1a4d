{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config(member_column='member_id')) }}
with

aipl as (

    select * from {{ ref('int_consumer_aipl_staged') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

stages as (

    select * from {{ ref('metric_aipl_stages') }}

),

final as (

    select
        aipl.consumer_id,
        aipl.snapshot_month,
        aipl.snapshot_date,
        aipl.consumer_kind,
        case when aipl.consumer_kind = 'member' then aipl.consumer_id end as member_id,
        aipl.aipl_stage_code,
        stages.aipl_stage_rank,
        stages.aipl_stage_name_zh,
        stages.aipl_stage_name_en,
        previous_aipl.aipl_stage_code as previous_aipl_stage_code,
        aipl.has_awareness_signal,
        aipl.has_interest_signal,
        cast(aipl.aipl_window_purchases as integer) as aipl_window_purchases,
        aipl.is_high_tier,
        coalesce(aipl.home_banner_code, 'UNASSIGNED') as home_banner_code,
        months.is_latest_snapshot
    from aipl
    inner join months
        on aipl.snapshot_month = months.snapshot_month
    inner join stages
        on aipl.aipl_stage_code = stages.aipl_stage_code
    left join aipl as previous_aipl
        on aipl.consumer_id = previous_aipl.consumer_id
            and months.previous_snapshot_month = previous_aipl.snapshot_month

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
