-- safe_to_date() against seeds/macro_fixtures/date_cases.csv (NULL-safe; type date).
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        cast(expected_date as date) as expected_date
    from {{ ref('date_cases') }}

),

actuals as (

    select
        case_name,
        input,
        expected_date,
        {{ safe_to_date('input') }} as actual_date
    from cases

),

final as (

    select *
    from actuals
    where
        actual_date is distinct from expected_date
        or lower(typeof(actual_date)) <> 'date'

)

select * from final
