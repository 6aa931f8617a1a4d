{#-
    Text to dates and timestamps without ever failing the query: anything that is not a real calendar value
    in the expected ISO shape becomes NULL, so staging can quarantine it (invalid_timestamp) or blank it.
-#}

{#- 'YYYY-MM-DD' (surrounding blanks ignored) to date; NULL for '0000-00-00', '2025-02-30', other shapes -#}
{% macro safe_to_date(expr) -%}
    {%- set date_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case
        when {{ regexp_full_match(date_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}') }}
            then {{ try_cast_or_null(date_text, 'date') }}
    end
{%- endmacro %}


{#-
    'YYYY-MM-DD', 'YYYY-MM-DD HH:MM[:SS[.ffffff]]' or the same with 'T' to a timestamp without zone, read as
    written (no zone conversion). Text carrying a zone (Z, +08:00) is NULL here: use iso8601_to_utc().
-#}
{% macro safe_to_timestamp(expr) -%}
    {%- set ts_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    case
        when {{ regexp_full_match(
            ts_text, '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?)?'
        ) }}
            then {{ try_cast_or_null("replace(" ~ ts_text ~ ", 'T', ' ')", dbt.type_timestamp()) }}
    end
{%- endmacro %}


{#-
    ISO-8601 text to a timestamp without zone holding UTC.
    Accepted: 'YYYY-MM-DD[T| ]HH:MM[:SS[.ffffff]]' followed by 'Z', '+HH:MM', '+HHMM', '+HH' (or '-'), or by
    nothing, in which case the text is Asia/Shanghai local time (var('timezone_offset_hours')).
    NULL for NULL, blank, impossible dates/times and offsets beyond +-14:00.
-#}
{% macro iso8601_to_utc(expr) -%}
    {%- set iso_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    {%- set iso_pattern =
        '^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?)'
        ~ '([Zz]|[-+][0-9]{2}(?::?[0-9]{2})?)?$' -%}
    {%- set local_part = try_cast_or_null(
        dbt.concat([
            regexp_extract_group(iso_text, iso_pattern, 1),
            "' '",
            regexp_extract_group(iso_text, iso_pattern, 2),
        ]),
        dbt.type_timestamp()
    ) -%}
    {%- set zone = regexp_extract_group(iso_text, iso_pattern, 3) -%}
    {#- '+08:00' -> '0800', '+08' -> '08' -#}
    {%- set zone_digits = "replace(substring(" ~ zone ~ ", 2), ':', '')" -%}
    {%- set zone_minutes =
        "(case when substring(" ~ zone ~ ", 1, 1) = '-' then -1 else 1 end)"
        ~ " * (cast(substring(" ~ zone_digits ~ ", 1, 2) as " ~ dbt.type_int() ~ ") * 60"
        ~ " + coalesce(cast(nullif(substring(" ~ zone_digits ~ ", 3, 2), '') as " ~ dbt.type_int() ~ "), 0))" -%}
    {%- set default_minutes = (var('timezone_offset_hours') | float * 60) | int -%}
    case
        when {{ local_part }} is null then null
        when {{ zone }} is null
            then {{ dbt.dateadd('minute', -1 * default_minutes, local_part) }}
        when upper({{ zone }}) = 'Z' then {{ local_part }}
        when cast(substring({{ zone_digits }}, 1, 2) as {{ dbt.type_int() }}) > 14
            or cast(coalesce(nullif(substring({{ zone_digits }}, 3, 2), ''), '0') as {{ dbt.type_int() }}) > 59
            then null
        else {{ dbt.dateadd('minute', '-1 * ' ~ zone_minutes, local_part) }}
    end
{%- endmacro %}
