-- fct_member_home_units_monthly slices members the way fct_member_kpis_monthly does: counting, per month, the
-- members not churned (fct_member_lifecycle_monthly) by their published home banner or store gives the KPI
-- mart's member_base for the brand, every banner and every store in its open period (outside it a store has
-- no member base of its own: int_store_months_spined). Open months only: a closed month's KPI counts stay as
-- reported while an erasure removes the person from the member-grain snapshots.
with

home_units as (

    select * from {{ ref('fct_member_home_units_monthly') }}
    where snapshot_month >= {{ first_open_month() }}

),

lifecycle as (

    select * from {{ ref('fct_member_lifecycle_monthly') }}
    where lifecycle_stage_code <> 'churned'

),

kpis as (

    select * from {{ ref('fct_member_kpis_monthly') }}
    where snapshot_month >= {{ first_open_month() }}

),

store_open_months as (

    select * from {{ ref('int_store_months_spined') }}

),

base_members as (

    select
        home_units.snapshot_month,
        home_units.home_store_id,
        home_units.home_banner_code
    from home_units
    inner join lifecycle
        on home_units.member_id = lifecycle.member_id
            and home_units.snapshot_month = lifecycle.snapshot_month

),

counted as (

    select
        snapshot_month,
        'all' as scope_type,
        'ALL' as scope_value,
        count(*) as member_base
    from base_members
    group by 1, 2, 3
    union all
    select
        snapshot_month,
        'banner' as scope_type,
        home_banner_code as scope_value,
        count(*) as member_base
    from base_members
    where home_banner_code is not null
    group by 1, 2, 3
    union all
    select
        base_members.snapshot_month,
        'store' as scope_type,
        base_members.home_store_id as scope_value,
        count(*) as member_base
    from base_members
    inner join store_open_months
        on base_members.home_store_id = store_open_months.store_id
            and base_members.snapshot_month = store_open_months.month_start_date
    group by 1, 2, 3

),

published as (

    select
        snapshot_month,
        scope_type,
        scope_value,
        member_base
    from kpis
    where member_base > 0

),

final as (

    select
        coalesce(published.snapshot_month, counted.snapshot_month) as snapshot_month,
        coalesce(published.scope_type, counted.scope_type) as scope_type,
        coalesce(published.scope_value, counted.scope_value) as scope_value,
        published.member_base as published_member_base,
        counted.member_base as counted_member_base
    from published
    full outer join counted
        on published.snapshot_month = counted.snapshot_month
            and published.scope_type = counted.scope_type
            and published.scope_value = counted.scope_value
    where coalesce(published.member_base, 0) <> coalesce(counted.member_base, 0)

)

select * from final
