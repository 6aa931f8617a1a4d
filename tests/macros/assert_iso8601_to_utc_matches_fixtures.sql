-- iso8601_to_utc() against seeds/macro_fixtures/iso8601_cases.csv (NULL-safe; timestamp without zone).
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        cast(expected_utc as timestamp) as expected_utc
    from {{ ref('iso8601_cases') }}

),

actuals as (

    select
        case_name,
        input,
        expected_utc,
        {{ iso8601_to_utc('input') }} as actual_utc
    from cases

),

final as (

    select *
    from actuals
    where
        actual_utc is distinct from expected_utc
        or lower(typeof(actual_utc)) <> 'timestamp'

)

select * from final
