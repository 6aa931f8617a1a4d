-- One row per store and calendar month in which the store was open at least one day of the reporting
-- period: the store's attributes as they stood in that month (floor area is remeasured now and then, which
-- makes a new master version) and how many days it was open, the denominator of the annualised 坪效.
with

store_versions as (

    select * from {{ ref('stg_stores__store_master') }}

),

orders as (

    select * from {{ ref('fct_orders') }}

),

period as (

    select
        min(business_date) as period_start_date,
        max(business_date) as period_end_date
    from orders

),

months as (

    select distinct
        cast({{ dbt.date_trunc('month', 'business_date') }} as date) as month_start_date
    from orders

),

month_bounds as (

    select
        months.month_start_date,
        cast({{ dbt.last_day('months.month_start_date', 'month') }} as date) as month_end_date,
        period.period_start_date,
        period.period_end_date
    from months
    cross join period

),

-- The master version in force at the end of the month: the latest one that started before the month ended.
-- Months before a store's first extract use its first version.
versions_ranked as (

    select
        month_bounds.month_start_date,
        store_versions.store_id,
        store_versions.banner_code,
        store_versions.floor_area_sqm,
        store_versions.opened_on,
        store_versions.closed_on,
        store_versions.is_o2o_enabled,
        row_number() over (
            partition by month_bounds.month_start_date, store_versions.store_id
            order by
                case
                    when cast(store_versions.valid_from as date) <= month_bounds.month_end_date then 0 else 1
                end,
                case
                    when cast(store_versions.valid_from as date) <= month_bounds.month_end_date
                        then store_versions.valid_from
                end desc,
                store_versions.valid_from asc
        ) as version_rank
    from month_bounds
    cross join store_versions

),

open_days as (

    select
        versions_ranked.store_id,
        versions_ranked.month_start_date,
        month_bounds.month_end_date,
        versions_ranked.banner_code,
        versions_ranked.floor_area_sqm,
        versions_ranked.opened_on,
        versions_ranked.closed_on,
        versions_ranked.is_o2o_enabled,
        1 + {{ dbt.datediff('month_bounds.month_start_date', 'month_bounds.month_end_date', 'day') }} as calendar_day_count, -- noqa: LT05
        -- First and last open day inside the month and inside the data period; the closing day itself is
        -- not an open day (closed_on is the first day the store is shut).
        greatest(
            month_bounds.month_start_date,
            month_bounds.period_start_date,
            coalesce(versions_ranked.opened_on, month_bounds.month_start_date)
        ) as first_open_date,
        least(
            month_bounds.month_end_date,
            month_bounds.period_end_date,
            coalesce(
                cast({{ dbt.dateadd('day', -1, 'versions_ranked.closed_on') }} as date),
                month_bounds.month_end_date
            )
        ) as last_open_date
    from versions_ranked
    inner join month_bounds
        on versions_ranked.month_start_date = month_bounds.month_start_date
    where versions_ranked.version_rank = 1

),

final as (

    select
        store_id,
        month_start_date,
        month_end_date,
        banner_code,
        floor_area_sqm,
        opened_on,
        closed_on,
        is_o2o_enabled,
        calendar_day_count,
        first_open_date,
        last_open_date,
        1 + {{ dbt.datediff('first_open_date', 'last_open_date', 'day') }} as open_day_count, -- noqa: LT05
        opened_on between month_start_date and month_end_date as is_opened_in_month,
        coalesce(closed_on between month_start_date and month_end_date, false) as is_closed_in_month
    from open_days
    where first_open_date <= last_open_date

)

select * from final
