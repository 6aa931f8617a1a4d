-- safe_to_timestamp() against seeds/macro_fixtures/timestamp_cases.csv (NULL-safe; timestamp without zone).
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        cast(expected_timestamp as timestamp) as expected_timestamp
    from {{ ref('timestamp_cases') }}

),

actuals as (

    select
        case_name,
        input,
        expected_timestamp,
        {{ safe_to_timestamp('input') }} as actual_timestamp
    from cases

),

final as (

    select *
    from actuals
    where
        actual_timestamp is distinct from expected_timestamp
        or lower(typeof(actual_timestamp)) <> 'timestamp'

)

select * from final
