-- The base_ model skeleton macros (macros/staging/) on hand-made rows: every row returned is a failure.
with

fingerprint_rows as (

    select
        'plain' as case_name,
        'a' as first_value,
        cast(12 as integer) as second_value,
        md5('1:a|2:12') as expected_value
    union all
    select
        'null_is_a_dash' as case_name,
        'a' as first_value,
        cast(null as integer) as second_value,
        md5('1:a|-') as expected_value
    union all
    select
        'empty_text_is_not_null' as case_name,
        '' as first_value,
        cast(null as integer) as second_value,
        md5('0:|-') as expected_value
    union all
    select
        'separator_inside_a_value' as case_name,
        'a|b' as first_value,
        cast(1 as integer) as second_value,
        md5('3:a|b|1:1') as expected_value

),

fingerprint_cases as (

    select
        'row_fingerprint_' || case_name as case_name,
        {{ row_fingerprint(['first_value', 'second_value']) }} as actual_value,
        expected_value
    from fingerprint_rows
    union all
    -- the length prefix keeps ('a|b', 'c') and ('a', 'b|c') apart
    select
        'row_fingerprint_unambiguous' as case_name,
        cast(
            {{ row_fingerprint(["'a|b'", "'c'"]) }} = {{ row_fingerprint(["'a'", "'b|c'"]) }}
            as varchar
        ) as actual_value,
        'false' as expected_value

),

final as (

    select *
    from fingerprint_cases
    where actual_value is distinct from expected_value

)

select * from final
