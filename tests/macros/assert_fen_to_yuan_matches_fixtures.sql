-- fen_to_yuan() against seeds/macro_fixtures/fen_cases.csv: value (NULL-safe) and type decimal(18, 2), for
-- text input and, where the text is an integer, for bigint input.
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        cast(expected_yuan as decimal(18, 2)) as expected_yuan
    from {{ ref('fen_cases') }}

),

actuals as (

    select
        case_name,
        'text' as input_type,
        input,
        expected_yuan,
        {{ fen_to_yuan('input') }} as actual_yuan
    from cases

    union all

    select
        case_name,
        'bigint' as input_type,
        input,
        expected_yuan,
        {{ fen_to_yuan('try_cast(input as bigint)') }} as actual_yuan
    from cases
    where regexp_full_match(input, '-?[0-9]{1,18}')

),

final as (

    select *
    from actuals
    where
        actual_yuan is distinct from expected_yuan
        or lower(typeof(actual_yuan)) <> 'decimal(18,2)'

)

select * from final
