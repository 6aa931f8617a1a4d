-- normalize_cn_mobile() and cn_mobile_issue() against seeds/macro_fixtures/phone_cases.csv.
-- Returns the cases where either output differs (NULL-safe) from its expectation.
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input,
        expected_normalised,
        expected_issue
    from {{ ref('phone_cases') }}

),

actuals as (

    select
        case_name,
        input,
        expected_normalised,
        {{ normalize_cn_mobile('input') }} as actual_normalised,
        expected_issue,
        {{ cn_mobile_issue('input') }} as actual_issue
    from cases

),

final as (

    select *
    from actuals
    where
        actual_normalised is distinct from expected_normalised
        or actual_issue is distinct from expected_issue

)

select * from final
