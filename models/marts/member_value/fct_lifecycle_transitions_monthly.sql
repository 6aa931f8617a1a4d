{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config()) }}
-- Month-over-month lifecycle stage transitions: for each month after the first, how many members moved from
-- each stage of the previous snapshot to each stage of this one. `not_known` stands for members the warehouse
-- did not know yet at the previous snapshot (first seen this month). Every cell is present (zero when no
-- member moved that way); a member never leaves the population, so there is no "to not_known".
with

lifecycle as (

    select * from {{ ref('int_member_lifecycle_staged') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

first_month as (

    select min(snapshot_month) as snapshot_month
    from months

),

stages as (

    select * from {{ ref('metric_lifecycle_stages') }}

),

moves as (

    select
        snapshot_month,
        coalesce(previous_lifecycle_stage_code, 'not_known') as from_stage_code,
        lifecycle_stage_code as to_stage_code,
        count(*) as member_count
    from lifecycle
    group by 1, 2, 3

),

from_codes as (

    select stage_code from stages
    union all
    select 'not_known' as stage_code

),

grid as (

    select
        months.snapshot_month,
        months.snapshot_date,
        from_codes.stage_code as from_stage_code,
        stages.stage_code as to_stage_code
    from months
    cross join from_codes
    cross join stages
    cross join first_month
    -- the first month has no previous snapshot to move from
    where months.snapshot_month > first_month.snapshot_month

),

final as (

    select
        grid.snapshot_month,
        grid.snapshot_date,
        grid.from_stage_code,
        grid.to_stage_code,
        grid.from_stage_code <> grid.to_stage_code as is_stage_change,
        cast(coalesce(moves.member_count, 0) as bigint) as member_count,
        {{ metric_safe_divide(
            'coalesce(moves.member_count, 0)',
            'sum(coalesce(moves.member_count, 0)) over (partition by grid.snapshot_month, grid.from_stage_code)'
        ) }} as share_of_from_stage
    from grid
    left join moves
        on grid.snapshot_month = moves.snapshot_month
            and grid.from_stage_code = moves.from_stage_code
            and grid.to_stage_code = moves.to_stage_code

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
