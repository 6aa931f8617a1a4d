-- The small engine-dispatched helpers every other macro builds on, and the fixture decoder.
with

cases as (

    select
        'full_match_true' as case_name,
        cast({{ regexp_full_match("'abc'", 'a[a-z]c') }} as varchar) as actual_value,
        'true' as expected_value
    union all
    select
        'full_match_is_anchored',
        cast({{ regexp_full_match("'xabc'", 'a[a-z]c') }} as varchar),
        'false'
    union all
    select
        'full_match_null',
        cast({{ regexp_full_match('cast(null as varchar)', 'a') }} as varchar),
        null
    union all
    select
        'contains_anywhere',
        cast({{ regexp_contains("'xabcx'", 'b') }} as varchar),
        'true'
    union all
    select
        'contains_absent',
        cast({{ regexp_contains("'xyz'", 'b') }} as varchar),
        'false'
    union all
    select
        'replace_all_not_first_only',
        {{ regexp_replace_all("'a-b-c'", '-', '') }},
        'abc'
    union all
    select
        'replace_all_escaped_tab',
        {{ regexp_replace_all("'a' || chr(9) || 'b'", '\\t', '_') }},
        'a_b'
    union all
    select
        'extract_group',
        {{ regexp_extract_group("'k=42'", 'k=([0-9]+)', 1) }},
        '42'
    union all
    select
        'extract_group_no_match_is_null',
        {{ regexp_extract_group("'k=x'", 'k=([0-9]+)', 1) }},
        null
    union all
    select
        'try_cast_valid',
        cast({{ try_cast_or_null("'42'", 'integer') }} as varchar),
        '42'
    union all
    select
        'try_cast_invalid_is_null',
        cast({{ try_cast_or_null("'4x2'", 'integer') }} as varchar),
        null
    union all
    select
        'decode_fixture_tokens',
        {{ decode_fixture_text("'<tab>a<empty>b<nbsp>c<ideographic_space>'") }},
        chr(9) || 'ab' || chr(160) || 'c' || chr(12288)

),

final as (

    select *
    from cases
    where actual_value is distinct from expected_value

)

select * from final
