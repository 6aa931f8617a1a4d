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
    NULL for NULL, blank, impossible dates/times and offsets beyond +-14:00 or with minutes above 59.
-#}
{% macro iso8601_to_utc(expr) -%}
    {{ return(adapter.dispatch('iso8601_to_utc', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{#- groups: 1 local date, 2 local time, 3 zone designator (absent = local Asia/Shanghai time) -#}
{% macro iso8601_pattern() -%}
    ^([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]([0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,6})?)?)([Zz]|[-+][0-9]{2}(?::?[0-9]{2})?)?$
{%- endmacro %}

{#- minutes to subtract from the local time to reach UTC, from the zone designator text; NULL if impossible -#}
{% macro iso8601_offset_minutes(zone) -%}
    {%- set default_minutes = (var('timezone_offset_hours') | float * 60) | int -%}
    {#- '+08:00' -> '0800', '+08' -> '08' -#}
    {%- set zone_digits = "replace(substring(" ~ zone ~ ", 2), ':', '')" -%}
    {%- set hours = "cast(substring(" ~ zone_digits ~ ", 1, 2) as " ~ dbt.type_int() ~ ")" -%}
    {%- set minutes = "cast(coalesce(nullif(substring(" ~ zone_digits ~ ", 3, 2), ''), '0') as "
        ~ dbt.type_int() ~ ")" -%}
    case
        when {{ zone }} is null or {{ zone }} = '' then {{ default_minutes }}
        when upper({{ zone }}) = 'Z' then 0
        when {{ hours }} > 14 or {{ minutes }} > 59 then null
        when substring({{ zone }}, 1, 1) = '-' then -1 * ({{ hours }} * 60 + {{ minutes }})
        else {{ hours }} * 60 + {{ minutes }}
    end
{%- endmacro %}

{% macro default__iso8601_to_utc(expr) -%}
    {%- set iso_text = "trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ "))" -%}
    {%- set local_time = try_cast_or_null(
        dbt.concat([
            regexp_extract_group(iso_text, iso8601_pattern(), 1),
            "' '",
            regexp_extract_group(iso_text, iso8601_pattern(), 2),
        ]),
        dbt.type_timestamp()
    ) -%}
    {%- set offset_minutes = iso8601_offset_minutes(regexp_extract_group(iso_text, iso8601_pattern(), 3)) -%}
    {{ dbt.dateadd('minute', '-1 * ' ~ offset_minutes, local_time) }}
{%- endmacro %}

{#-
    DuckDB: one regexp_extract returns all three groups as a struct, bound once through a one-element list
    lambda (the generic version evaluates the regular expression once per group and per use). struct_extract()
    rather than omni_iso.zone keeps sqlfluff from reading a qualified column reference (rule RF03).
-#}
{% macro duckdb__iso8601_to_utc(expr) -%}
    list_transform(
        [regexp_extract(
            trim(cast({{ expr }} as varchar)), '{{ iso8601_pattern() }}', ['local_date', 'local_time', 'zone']
        )],
        lambda omni_iso: try_cast(
            struct_extract(omni_iso, 'local_date') || ' ' || struct_extract(omni_iso, 'local_time') as timestamp
        ) - cast({{ iso8601_offset_minutes("struct_extract(omni_iso, 'zone')") }} as bigint) * interval 1 minute
    )[1]
{%- endmacro %}
