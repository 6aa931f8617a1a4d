{#-
    Asia/Shanghai <-> UTC by the fixed offset var('timezone_offset_hours') (8: China has had no daylight saving
    time since 1991). The shift is applied in minutes so that a retailer in a half-hour zone can reuse it.
    Input: a timestamp without zone (text that casts cleanly is accepted; run untrusted text through
    safe_to_timestamp() first). Output: timestamp without zone. NULL in, NULL out.
-#}

{% macro shanghai_local_to_utc(expr) -%}
    {%- set offset_minutes = (var('timezone_offset_hours') | float * 60) | int -%}
    {{ dbt.dateadd('minute', -1 * offset_minutes, "cast(" ~ expr ~ " as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}

{% macro utc_to_shanghai_local(expr) -%}
    {%- set offset_minutes = (var('timezone_offset_hours') | float * 60) | int -%}
    {{ dbt.dateadd('minute', offset_minutes, "cast(" ~ expr ~ " as " ~ dbt.type_timestamp() ~ ")") }}
{%- endmacro %}
