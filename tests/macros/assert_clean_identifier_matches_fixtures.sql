-- clean_identifier() against seeds/macro_fixtures/identifier_cases.csv: the cases whose output differs.
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        expected_cleaned
    from {{ ref('identifier_cases') }}

),

actuals as (

    select
        case_name,
        input,
        expected_cleaned,
        {{ clean_identifier('input') }} as actual_cleaned
    from cases

),

final as (

    select *
    from actuals
    where actual_cleaned is distinct from expected_cleaned

)

select * from final
