-- mask_cn_mobile() against seeds/macro_fixtures/mask_cases.csv; also masks every normalised phone fixture,
-- whose mask must keep the first 3 and last 4 digits.
with

mask_cases as (

    select
        case_name,
        input,
        expected_masked
    from {{ ref('mask_cases') }}

),

phone_cases as (

    select
        'phone_cases.' || case_name as case_name,
        expected_normalised as input,
        substring(expected_normalised, 1, 3) || '****' || substring(expected_normalised, 8, 4) as expected_masked
    from {{ ref('phone_cases') }}
    where expected_normalised is not null

),

cases as (

    select * from mask_cases
    union all
    select * from phone_cases

),

actuals as (

    select
        case_name,
        input,
        expected_masked,
        {{ mask_cn_mobile('input') }} as actual_masked
    from cases

),

final as (

    select *
    from actuals
    where actual_masked is distinct from expected_masked

)

select * from final
