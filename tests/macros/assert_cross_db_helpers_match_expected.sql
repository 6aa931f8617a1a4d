-- The small engine-dispatched helpers every other macro builds on, and the fixture decoder.
with

cases as (

    select
        'full_match_true' as case_name,
        cast({{ regexp_full_match("'abc'", 'a[a-z]c') }} as varchar) as actual_value,
        'true' as expected_value
    union all
    select
        'full_match_is_anchored' as case_name,
        cast({{ regexp_full_match("'xabc'", 'a[a-z]c') }} as varchar) as actual_value,
        'false' as expected_value
    union all
    select
        'full_match_null' as case_name,
        cast({{ regexp_full_match('cast(null as varchar)', 'a') }} as varchar) as actual_value,
        null as expected_value
    union all
    select
        'contains_anywhere' as case_name,
        cast({{ regexp_contains("'xabcx'", 'b') }} as varchar) as actual_value,
        'true' as expected_value
    union all
    select
        'contains_absent' as case_name,
        cast({{ regexp_contains("'xyz'", 'b') }} as varchar) as actual_value,
        'false' as expected_value
    union all
    select
        'replace_all_not_first_only' as case_name,
        {{ regexp_replace_all("'a-b-c'", '-', '') }} as actual_value,
        'abc' as expected_value
    union all
    select
        'replace_all_escaped_tab' as case_name,
        {{ regexp_replace_all("'a' || chr(9) || 'b'", '\\t', '_') }} as actual_value,
        'a_b' as expected_value
    union all
    select
        'extract_group' as case_name,
        {{ regexp_extract_group("'k=42'", 'k=([0-9]+)', 1) }} as actual_value,
        '42' as expected_value
    union all
    select
        'extract_group_no_match_is_null' as case_name,
        {{ regexp_extract_group("'k=x'", 'k=([0-9]+)', 1) }} as actual_value,
        null as expected_value
    union all
    select
        'try_cast_valid' as case_name,
        cast({{ try_cast_or_null("'42'", 'integer') }} as varchar) as actual_value,
        '42' as expected_value
    union all
    select
        'try_cast_invalid_is_null' as case_name,
        cast({{ try_cast_or_null("'4x2'", 'integer') }} as varchar) as actual_value,
        null as expected_value
    union all
    select
        'decode_fixture_tokens' as case_name,
        {{ decode_fixture_text("'<tab>a<empty>b<nbsp>c<ideographic_space>'") }} as actual_value,
        chr(9) || 'ab' || chr(160) || 'c' || chr(12288) as expected_value

),

final as (

    select *
    from cases
    where actual_value is distinct from expected_value

)

select * from final
