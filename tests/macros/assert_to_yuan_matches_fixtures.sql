-- to_yuan() against seeds/macro_fixtures/yuan_cases.csv: value (NULL-safe, rounding half away from zero on
-- the decimal the float denotes) and type decimal(18, 2). input_type = 'double' casts the text to a float first.
with

cases as (

    select
        case_name,
        input_type,
        {{ decode_fixture_text('input') }} as input,
        cast(expected_yuan as decimal(18, 2)) as expected_yuan
    from {{ ref('yuan_cases') }}

),

actuals as (

    select
        case_name,
        input_type,
        input,
        expected_yuan,
        case
            when input_type = 'double' then {{ to_yuan('cast(input as double)') }}
            else {{ to_yuan('input') }}
        end as actual_yuan
    from cases

),

final as (

    select *
    from actuals
    where
        actual_yuan is distinct from expected_yuan
        or lower(typeof(actual_yuan)) <> 'decimal(18,2)'

)

select * from final
