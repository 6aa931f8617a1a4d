{#-
    dbt-spark checks incremental_strategy against its own list (append, merge, insert_overwrite, microbatch)
    before it looks at the relation, so the project's custom strategies replace_landed_rows and replace_keys
    failed every Spark build, even a first build or --full-refresh, which only runs create table as select.
    Accept them here: a full build works; an incremental run still stops, in dbt_spark_get_incremental_sql
    ("No known SQL for the incremental strategy"), because dbt-spark's incremental materialization does not
    call the get_incremental_<strategy>_sql macros. Only the Spark materialization calls this macro.
-#}
{% macro dbt_spark_validate_get_incremental_strategy(raw_strategy, file_format) %}
    {#- dbt-spark 1.11's checks, plus the two custom strategies (its macro cannot be called by package name) -#}
    {%- if raw_strategy not in ['append', 'merge', 'insert_overwrite', 'microbatch', 'replace_landed_rows', 'replace_keys'] -%}
        {{ exceptions.raise_compiler_error("Invalid incremental strategy provided: " ~ raw_strategy) }}
    {%- elif raw_strategy == 'merge' and file_format not in ['delta', 'iceberg', 'hudi'] -%}
        {{ exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: merge needs file_format delta, iceberg or hudi") }}
    {%- elif raw_strategy in ['insert_overwrite', 'microbatch'] and target.endpoint -%}
        {{ exceptions.raise_compiler_error(
            "Invalid incremental strategy provided: " ~ raw_strategy ~ " cannot be used through an endpoint") }}
    {%- endif -%}
    {{ return(raw_strategy) }}
{% endmacro %}
