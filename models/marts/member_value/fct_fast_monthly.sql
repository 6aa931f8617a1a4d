{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config()) }}
-- Alibaba's FAST per month and banner, from the AIPL pool and the high-value members:
--   F  Fertility    consumers in the AIPL pool (A + I + P + L)
--   A  Advancing    month-over-month conversion of last month's A, I and P consumers to a higher stage
--                   (A -> I or beyond, I -> P or beyond, P -> L)
--   S  Superiority  high-value members (seed metric_high_value_rules)
--   T  Trend        share of the high-value members who purchased in the last fast_trend_window_days
-- A consumer counts for the banner of its home banner that month (last month's, for the conversions);
-- consumers with no known banner (unstitched platform buyers, members who never bought from a banner) are
-- under `UNASSIGNED`, and `ALL` is the whole brand. Rows with `ALL` are totals: do not add them to the
-- banner rows.
{%- set stage_ranks = {'A': 1, 'I': 2, 'P': 3, 'L': 4} %}

with

-- the AIPL stages of fct_consumer_aipl_monthly read from the intermediate: the open month compares with last
-- month's stages as they are now (the intermediate recomputes it), not with the mart's frozen last month
aipl as (

    select
        staged.snapshot_month,
        staged.consumer_id,
        staged.aipl_stage_code,
        stages.aipl_stage_rank,
        coalesce(staged.home_banner_code, 'UNASSIGNED') as home_banner_code
    from {{ ref('int_consumer_aipl_staged') }} as staged
    inner join {{ ref('metric_aipl_stages') }} as stages
        on staged.aipl_stage_code = stages.aipl_stage_code

),

high_value as (

    select * from {{ ref('int_member_high_value_flagged') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

-- every consumer counted twice: under its banner and under ALL
aipl_scoped as (

    select
        snapshot_month,
        consumer_id,
        aipl_stage_code,
        aipl_stage_rank,
        home_banner_code as banner_code
    from aipl

    union all

    select
        snapshot_month,
        consumer_id,
        aipl_stage_code,
        aipl_stage_rank,
        'ALL' as banner_code
    from aipl

),

pool as (

    select
        snapshot_month,
        banner_code,
        {%- for stage in stage_ranks %}
            count(case when aipl_stage_code = '{{ stage }}' then 1 end) as stage_{{ stage | lower }}_consumers,
        {%- endfor %}
        count(*) as fertility_consumers
    from aipl_scoped
    group by snapshot_month, banner_code

),

-- last month's consumers of each stage (under last month's banner) and where they are this month
advancing as (

    select
        months.snapshot_month,
        previous_scoped.banner_code,
        {%- for stage in ['A', 'I', 'P'] %}
            count(case when previous_scoped.aipl_stage_code = '{{ stage }}' then 1 end)
                as previous_stage_{{ stage | lower }}_consumers,
            count(
                case
                    when previous_scoped.aipl_stage_code = '{{ stage }}'
                        and current_aipl.aipl_stage_rank > {{ stage_ranks[stage] }}
                        then 1
                end
            ) as advanced_from_{{ stage | lower }}_consumers{% if not loop.last %},{% endif %}
        {%- endfor %}
    from aipl_scoped as previous_scoped
    inner join months
        on previous_scoped.snapshot_month = months.previous_snapshot_month
    left join aipl as current_aipl
        on previous_scoped.consumer_id = current_aipl.consumer_id
            and months.snapshot_month = current_aipl.snapshot_month
    group by months.snapshot_month, previous_scoped.banner_code

),

high_value_scoped as (

    select
        snapshot_month,
        member_id,
        recency_days,
        coalesce(home_banner_code, 'UNASSIGNED') as banner_code
    from high_value
    where is_high_value

    union all

    select
        snapshot_month,
        member_id,
        recency_days,
        'ALL' as banner_code
    from high_value
    where is_high_value

),

superiority as (

    select
        snapshot_month,
        banner_code,
        count(*) as high_value_members,
        count(case when recency_days < {{ var('fast_trend_window_days') }} then 1 end)
            as high_value_recent_buyers
    from high_value_scoped
    group by snapshot_month, banner_code

),

-- `union` (not `union all`): the three parts share most keys and each key is wanted once
keys as (

    select
        snapshot_month,
        banner_code
    from pool
    union
    select
        snapshot_month,
        banner_code
    from advancing
    union
    select
        snapshot_month,
        banner_code
    from superiority

),

final as (

    select
        keys.snapshot_month,
        months.snapshot_date,
        keys.banner_code,
        keys.banner_code = 'ALL' as is_all_banners,
        {%- for stage in stage_ranks %}
            cast(coalesce(pool.stage_{{ stage | lower }}_consumers, 0) as bigint)
                as stage_{{ stage | lower }}_consumers,
        {%- endfor %}
        cast(coalesce(pool.fertility_consumers, 0) as bigint) as fertility_consumers,
        {%- for stage, next_stage in [('A', 'I'), ('I', 'P'), ('P', 'L')] %}
            cast(coalesce(advancing.previous_stage_{{ stage | lower }}_consumers, 0) as bigint)
                as previous_stage_{{ stage | lower }}_consumers,
            cast(coalesce(advancing.advanced_from_{{ stage | lower }}_consumers, 0) as bigint)
                as advanced_from_{{ stage | lower }}_consumers,
        {{ metric_safe_divide(
            'advancing.advanced_from_' ~ stage | lower ~ '_consumers',
            'advancing.previous_stage_' ~ stage | lower ~ '_consumers'
        ) }} as {{ stage | lower }}_to_{{ next_stage | lower }}_rate,
        {%- endfor %}
        cast(coalesce(superiority.high_value_members, 0) as bigint) as high_value_members,
        cast(coalesce(superiority.high_value_recent_buyers, 0) as bigint) as high_value_recent_buyers,
        {{ metric_safe_divide('superiority.high_value_recent_buyers', 'superiority.high_value_members') }}
            as high_value_recent_share
    from keys
    inner join months
        on keys.snapshot_month = months.snapshot_month
    left join pool
        on keys.snapshot_month = pool.snapshot_month
            and keys.banner_code = pool.banner_code
    left join advancing
        on keys.snapshot_month = advancing.snapshot_month
            and keys.banner_code = advancing.banner_code
    left join superiority
        on keys.snapshot_month = superiority.snapshot_month
            and keys.banner_code = superiority.banner_code

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
