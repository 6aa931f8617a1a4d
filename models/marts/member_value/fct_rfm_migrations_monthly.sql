{#- Closed months frozen as reported (macros/incremental/month_freeze.sql): a daily run recomputes the open months
    only. -#}
{{ config(**month_snapshot_config()) }}
-- Month-over-month RFM segment migration matrix: for each month after the first, how many members moved from
-- each segment of the previous snapshot to each segment of this one. `unscored` stands for "not in the RFM
-- population" (no purchase in the window): members entering the population come from it, members leaving go
-- to it. Every cell of the matrix is present (zero when no member moved that way) except unscored -> unscored.
with

rfm as (

    select * from {{ ref('int_member_rfm_scored') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}

),

first_month as (

    select min(snapshot_month) as snapshot_month
    from months

),

segments as (

    select * from {{ ref('metric_rfm_segments') }}

),

segment_codes as (

    select segment_code from segments
    union all
    select 'unscored' as segment_code

),

current_scores as (

    select
        snapshot_month,
        member_id,
        rfm_segment_code
    from rfm

),

-- each month's previous snapshot, keyed by the month it is compared with
previous_scores as (

    select
        months.snapshot_month,
        rfm.member_id,
        rfm.rfm_segment_code
    from rfm
    inner join months
        on rfm.snapshot_month = months.previous_snapshot_month

),

moves as (

    select
        coalesce(current_scores.snapshot_month, previous_scores.snapshot_month) as snapshot_month,
        coalesce(previous_scores.rfm_segment_code, 'unscored') as from_segment_code,
        coalesce(current_scores.rfm_segment_code, 'unscored') as to_segment_code,
        count(*) as member_count
    from current_scores
    full outer join previous_scores
        on current_scores.snapshot_month = previous_scores.snapshot_month
            and current_scores.member_id = previous_scores.member_id
    group by 1, 2, 3

),

grid as (

    select
        months.snapshot_month,
        months.snapshot_date,
        from_codes.segment_code as from_segment_code,
        to_codes.segment_code as to_segment_code
    from months
    cross join segment_codes as from_codes
    cross join segment_codes as to_codes
    cross join first_month
    -- the first month has no previous snapshot to migrate from
    where months.snapshot_month > first_month.snapshot_month
        and not (from_codes.segment_code = 'unscored' and to_codes.segment_code = 'unscored')

),

final as (

    select
        grid.snapshot_month,
        grid.snapshot_date,
        grid.from_segment_code,
        grid.to_segment_code,
        cast(coalesce(moves.member_count, 0) as bigint) as member_count,
        {{ metric_safe_divide(
            'coalesce(moves.member_count, 0)',
            'sum(coalesce(moves.member_count, 0)) over (partition by grid.snapshot_month, grid.from_segment_code)'
        ) }} as share_of_from_segment
    from grid
    left join moves
        on grid.snapshot_month = moves.snapshot_month
            and grid.from_segment_code = moves.from_segment_code
            and grid.to_segment_code = moves.to_segment_code

)

select * from final
where {{ recomputed_months('snapshot_month', lookback_months=0) }}
