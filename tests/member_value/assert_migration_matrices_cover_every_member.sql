-- The RFM migration matrix of a month accounts for every member scored in the month (column totals) and in
-- the previous month (row totals); the lifecycle transition matrix accounts for every member known in the
-- month. Open months only: in a closed month the matrices keep their counts as reported while an erasure
-- removes the person from the member-grain snapshots (DECISIONS.md, "Closed months frozen as reported").
with

rfm as (

    select * from {{ ref('fct_member_rfm_monthly') }}

),

-- the previous month as the migrations read it: the intermediate, which recomputes the month before the first
-- open month while the mart keeps it frozen as reported
rfm_scored as (

    select * from {{ ref('int_member_rfm_scored') }}

),

lifecycle as (

    select * from {{ ref('fct_member_lifecycle_monthly') }}

),

months as (

    select * from {{ ref('int_metric_months_spined') }}
    where snapshot_month >= {{ first_open_month() }}

),

rfm_migrations as (

    select * from {{ ref('fct_rfm_migrations_monthly') }}

),

lifecycle_transitions as (

    select * from {{ ref('fct_lifecycle_transitions_monthly') }}

),

expected as (

    select
        months.snapshot_month,
        'rfm_to' as check_name,
        count(rfm.member_id) as expected_members
    from months
    left join rfm
        on months.snapshot_month = rfm.snapshot_month
    group by months.snapshot_month

    union all

    select
        months.snapshot_month,
        'rfm_from' as check_name,
        count(rfm_scored.member_id) as expected_members
    from months
    left join rfm_scored
        on months.previous_snapshot_month = rfm_scored.snapshot_month
    group by months.snapshot_month

    union all

    select
        months.snapshot_month,
        'lifecycle' as check_name,
        count(lifecycle.member_id) as expected_members
    from months
    left join lifecycle
        on months.snapshot_month = lifecycle.snapshot_month
    group by months.snapshot_month

),

actual as (

    select
        snapshot_month,
        'rfm_to' as check_name,
        sum(case when to_segment_code <> 'unscored' then member_count else 0 end) as actual_members
    from rfm_migrations
    group by snapshot_month

    union all

    select
        snapshot_month,
        'rfm_from' as check_name,
        sum(case when from_segment_code <> 'unscored' then member_count else 0 end) as actual_members
    from rfm_migrations
    group by snapshot_month

    union all

    select
        snapshot_month,
        'lifecycle' as check_name,
        sum(member_count) as actual_members
    from lifecycle_transitions
    group by snapshot_month

),

mismatches as (

    select
        expected.snapshot_month,
        expected.check_name,
        expected.expected_members,
        actual.actual_members
    from expected
    inner join actual
        on expected.snapshot_month = actual.snapshot_month
            and expected.check_name = actual.check_name
    where expected.expected_members <> actual.actual_members

)

select * from mismatches
