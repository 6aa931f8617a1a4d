{#-
    Unix epoch integers (UTC by definition) to timestamps without zone holding UTC. Never goes through a
    time-zone-aware type, so the session time zone cannot shift the result. NULL in, NULL out, and NULL for a
    value that is no 64-bit integer (an unsigned id above 2^63) or lies outside years 1-9999, where the
    engines' conversions fail the whole query; staging then quarantines the row as invalid_timestamp.
-#}

{#- the epoch value as bigint when it is an instant in years 1-9999, else NULL; per_second: 1 (s) or 1000 (ms) -#}
{% macro epoch_in_range(expr, per_second) -%}
    {%- set as_bigint = try_cast_or_null(expr, dbt.type_bigint()) -%}
    case
        when {{ as_bigint }} between {{ -62135596800 * per_second }}
            and {{ 253402300799 * per_second + per_second - 1 }}
            then {{ as_bigint }}
    end
{%- endmacro %}

{% macro epoch_ms_to_utc(expr) -%}
    {{ return(adapter.dispatch('epoch_ms_to_utc', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{#- Spark: timestamp_millis() renders in the session time zone, which the spark profile pins to UTC -#}
{% macro default__epoch_ms_to_utc(expr) -%}
    timestamp_millis({{ epoch_in_range(expr, 1000) }})
{%- endmacro %}

{% macro duckdb__epoch_ms_to_utc(expr) -%}
    epoch_ms({{ epoch_in_range(expr, 1000) }})
{%- endmacro %}


{% macro epoch_s_to_utc(expr) -%}
    {{ return(adapter.dispatch('epoch_s_to_utc', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__epoch_s_to_utc(expr) -%}
    timestamp_seconds({{ epoch_in_range(expr, 1) }})
{%- endmacro %}

{#- to_timestamp() would return timestamptz and depend on the session time zone; epoch_ms() does not -#}
{% macro duckdb__epoch_s_to_utc(expr) -%}
    epoch_ms({{ epoch_in_range(expr, 1) }} * 1000)
{%- endmacro %}
