-- generate_schema_name(): a custom schema is used as written, no custom schema means the target schema, and
-- the fixtures really were built in `test_fixtures` (not `<target schema>_test_fixtures`).
with

cases as (

    select
        'custom_schema' as case_name,
        '{{ generate_schema_name("staging", none) | trim }}' as actual_schema,
        'staging' as expected_schema

    union all

    select
        'custom_schema_with_blanks' as case_name,
        '{{ generate_schema_name(" marts ", none) | trim }}' as actual_schema,
        'marts' as expected_schema

    union all

    select
        'no_custom_schema' as case_name,
        '{{ generate_schema_name(none, none) | trim }}' as actual_schema,
        '{{ target.schema }}' as expected_schema

    union all

    select
        'fixture_seed_relation' as case_name,
        '{{ ref("phone_cases").schema }}' as actual_schema,
        'test_fixtures' as expected_schema

),

final as (

    select *
    from cases
    where actual_schema is distinct from expected_schema

)

select * from final
