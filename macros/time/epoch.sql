{#-
    Unix epoch integers (UTC by definition) to timestamps without zone holding UTC. Never goes through a
    time-zone-aware type, so the session time zone cannot shift the result. NULL in, NULL out.
-#}

{% macro epoch_ms_to_utc(expr) -%}
    {{ return(adapter.dispatch('epoch_ms_to_utc', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{#- Spark: timestamp_millis() renders in the session time zone, which the spark profile pins to UTC -#}
{% macro default__epoch_ms_to_utc(expr) -%}
    timestamp_millis(cast({{ expr }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{% macro duckdb__epoch_ms_to_utc(expr) -%}
    epoch_ms(cast({{ expr }} as bigint))
{%- endmacro %}


{% macro epoch_s_to_utc(expr) -%}
    {{ return(adapter.dispatch('epoch_s_to_utc', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__epoch_s_to_utc(expr) -%}
    timestamp_seconds(cast({{ expr }} as {{ dbt.type_bigint() }}))
{%- endmacro %}

{#- to_timestamp() would return timestamptz and depend on the session time zone; epoch_ms() does not -#}
{% macro duckdb__epoch_s_to_utc(expr) -%}
    epoch_ms(cast({{ expr }} as bigint) * 1000)
{%- endmacro %}
