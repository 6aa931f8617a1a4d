{#-
    Cast that yields NULL instead of failing on a value that does not convert. dbt's own dbt.safe_cast() is a
    plain cast on DuckDB (dbt-duckdb 1.11 does not override it), which aborts the whole query on one bad value.
-#}
{% macro try_cast_or_null(expr, data_type) -%}
    {{ return(adapter.dispatch('try_cast_or_null', 'omnichannel_member_warehouse')(expr, data_type)) }}
{%- endmacro %}

{#- Spark (non-ANSI mode) and Databricks' dbt.safe_cast already return NULL on a failed cast. -#}
{% macro default__try_cast_or_null(expr, data_type) -%}
    {{ dbt.safe_cast(expr, data_type) }}
{%- endmacro %}

{% macro duckdb__try_cast_or_null(expr, data_type) -%}
    try_cast({{ expr }} as {{ data_type }})
{%- endmacro %}
