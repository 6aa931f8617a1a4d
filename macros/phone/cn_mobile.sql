{#-
    Mainland China mobile numbers as keyed by people: country prefixes, separators, full-width digits.
    A usable number is 11 digits matching ^1[3-9][0-9]{9}$ once separators and one leading +86 / 0086 / 86 are
    removed, and is not an obvious walk-in placeholder. normalize_cn_mobile() and cn_mobile_issue() share the
    same cleaning so that, for a non-blank input, exactly one of them is NULL.
-#}

{#- keyed text with full-width characters folded to ASCII and separators (spaces, tabs, - . ( )) removed -#}
{% macro cn_mobile_cleaned(expr) -%}
    {#- full-width digits, plus, hyphen and parentheses, then the ideographic space (U+3000) and the no-break
        space (U+00A0), which RE2 and Java do not count as white space -#}
    {%- set from_chars = '０１２３４５６７８９＋－（）' ~ '\u3000\u00a0' -%}
    {%- set to_chars = '0123456789+-()' ~ '  ' -%}
    {{ regexp_replace_all(
        "translate(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "), '" ~ from_chars ~ "', '" ~ to_chars ~ "')",
        '[-. ()\\t\\r\\n]',
        ''
    ) }}
{%- endmacro %}


{#- the 11-digit mobile inside the cleaned text (after one optional country prefix), else NULL -#}
{% macro cn_mobile_candidate(expr) -%}
    {{ regexp_extract_group(cn_mobile_cleaned(expr), '^(?:[+]86|0086|86)?(1[3-9][0-9]{9})$', 1) }}
{%- endmacro %}


{#-
    Walk-in placeholders cashiers type instead of a real number: the eight digits after the 3-digit prefix are
    all the same digit (13800000000, 13888888888, 13999999999). Input: an 11-digit mobile.
-#}
{% macro cn_mobile_is_placeholder(mobile_expr) -%}
    (substring({{ mobile_expr }}, 4, 8) in (
        {%- for digit in range(10) %}'{{ (digit | string) * 8 }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    ))
{%- endmacro %}


{% macro normalize_cn_mobile(expr) -%}
    {%- set candidate = cn_mobile_candidate(expr) -%}
    case
        when {{ cn_mobile_is_placeholder(candidate) }} then null
        else {{ candidate }}
    end
{%- endmacro %}


{#-
    Why a non-blank keyed phone is not usable, first applicable reason (list in macros/_macros.yml):
    placeholder_number, masked_number, contains_letters, invalid_characters, landline_number,
    not_a_mobile_number. NULL when the input is NULL/blank or a usable mobile number.
-#}
{% macro cn_mobile_issue(expr) -%}
    {%- set cleaned = cn_mobile_cleaned(expr) -%}
    {%- set candidate = cn_mobile_candidate(expr) -%}
    case
        when {{ cleaned }} is null or {{ cleaned }} = '' then null
        when {{ candidate }} is not null and {{ cn_mobile_is_placeholder(candidate) }} then 'placeholder_number'
        when {{ candidate }} is not null then null
        when {{ regexp_contains(cleaned, '[*]') }} then 'masked_number'
        when {{ regexp_contains(cleaned, '[A-Za-z]') }} then 'contains_letters'
        when not {{ regexp_full_match(cleaned, '[+]?[0-9]+') }} then 'invalid_characters'
        {#- fixed-line: trunk 0 + area code + local number (10-12 digits), or a number not starting with 1
            (local 7-8 digits, or area code without the trunk 0 after +86), optionally after +86 / 0086 -#}
        when {{ regexp_full_match(cleaned, '(?:[+]86|0086)?(?:0[1-9][0-9]{8,10}|[2-9][0-9]{6,10})') }}
            then 'landline_number'
        else 'not_a_mobile_number'
    end
{%- endmacro %}


{#- 138****5678 from an 11-digit mobile; NULL for anything else, so an unnormalised value never leaks -#}
{% macro mask_cn_mobile(expr) -%}
    case
        when {{ regexp_full_match(expr, '1[3-9][0-9]{9}') }}
            then {{ dbt.concat(["substring(" ~ expr ~ ", 1, 3)", "'****'", "substring(" ~ expr ~ ", 8, 4)"]) }}
    end
{%- endmacro %}
