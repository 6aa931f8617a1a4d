-- One row per month of the member-value history: every calendar month from the month of the first order to
-- the month of the as-of date. A month's snapshot is taken at its last day, or at the as-of date for the
-- as-of month itself, so the latest row always describes the warehouse "as of" that day. A month is closed
-- (frozen as reported) once the as-of date is past its close date, var month_close_days after its last day.
{%- set as_of_override = var('as_of_date', none) %}

with

orders as (

    select * from {{ ref('fct_orders') }}

),

pos_transactions as (

    select * from {{ ref('stg_pos__transactions') }}

),

order_dates as (

    select
        min(business_date) as data_start_date,
        max(business_date) as latest_order_date
    from orders

),

-- A day is complete once an extract was produced after it ended (Asia/Shanghai). The store tills are the
-- feed every day depends on, so their latest extract caps the default as-of date: an extract taken at
-- 15:00 on day D leaves D incomplete and the default falls back to D - 1.
latest_extract as (

    select
        cast(
            {{ dbt.dateadd('day', -1, 'cast(' ~ utc_to_shanghai_local('max(_extracted_at)') ~ ' as date)') }}
            as date
        ) as latest_fully_extracted_date
    from pos_transactions

),

bounds as (

    select
        order_dates.data_start_date,
        {%- if as_of_override %}
        cast('{{ as_of_override }}' as date) as as_of_date,
        'var' as as_of_date_source
        {%- else %}
            case
                when latest_extract.latest_fully_extracted_date < order_dates.latest_order_date
                    then latest_extract.latest_fully_extracted_date
                else order_dates.latest_order_date
            end as as_of_date,
            'latest_complete_day' as as_of_date_source
        {%- endif %}
    from order_dates
    cross join latest_extract

),

-- 480 months (40 years) is far beyond any data period this warehouse holds; months past the as-of date are
-- filtered out below.
month_numbers as (

    {{ dbt.generate_series(480) }}

),

months as (

    select
        {{ dbt.dateadd(
            'month',
            'month_numbers.generated_number - 1',
            dbt.date_trunc('month', 'bounds.data_start_date')
        ) }} as snapshot_month,
        bounds.data_start_date,
        bounds.as_of_date,
        bounds.as_of_date_source
    from month_numbers
    cross join bounds

),

final as (

    select
        cast(snapshot_month as date) as snapshot_month,
        cast({{ dbt.last_day('snapshot_month', 'month') }} as date) as month_end_date,
        case
            when cast({{ dbt.last_day('snapshot_month', 'month') }} as date) <= as_of_date
                then cast({{ dbt.last_day('snapshot_month', 'month') }} as date)
            else as_of_date
        end as snapshot_date,
        cast({{ dbt.last_day('snapshot_month', 'month') }} as date) <= as_of_date as is_complete_month,
        cast(
            {{ dbt.dateadd('day', month_close_days(), dbt.last_day('snapshot_month', 'month')) }} as date
        ) as month_close_date,
        cast(
            {{ dbt.dateadd('day', month_close_days(), dbt.last_day('snapshot_month', 'month')) }} as date
        ) < as_of_date as is_closed_month,
        cast({{ dbt.date_trunc('month', 'as_of_date') }} as date) = cast(snapshot_month as date)
            as is_latest_snapshot,
        cast({{ dbt.dateadd('month', -1, 'snapshot_month') }} as date) as previous_snapshot_month,
        cast({{ dbt.dateadd('month', -12, 'snapshot_month') }} as date) as same_month_last_year,
        data_start_date,
        as_of_date,
        as_of_date_source
    from months
    where snapshot_month <= as_of_date

)

select * from final
