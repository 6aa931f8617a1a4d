{#-
    Cast that yields NULL instead of failing on a value that does not convert. dbt's own dbt.safe_cast() is a
    plain cast on DuckDB (dbt-duckdb 1.11 does not override it), which aborts the whole query on one bad value.
-#}
{% macro try_cast_or_null(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_or_null', 'omnichannel_member_warehouse')(expr, data_type)) }}
{%- endmacro %}

{#- Engines whose dbt.safe_cast returns NULL on a failed cast. -#}
{% macro default__try_cast_or_null(expr, data_type) -%}
    {{ dbt.safe_cast(expr, data_type) }}
{%- endmacro %}

{#- Spark: dbt-spark's safe_cast is a plain cast, which fails the query in ANSI mode (the default since Spark
    4.0: '2025-02-30' as a date is CAST_INVALID_INPUT); try_cast (Spark >= 3.2) is NULL in both modes. -#}
{% macro spark__try_cast_or_null(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}

{% macro duckdb__try_cast_or_null(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
