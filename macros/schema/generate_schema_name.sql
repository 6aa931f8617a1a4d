{#-
    Custom schemas are used as written: +schema: staging builds into `staging`, not dbt's default
    `<target schema>_staging` (e.g. main_staging). Models without a custom schema go to the target schema.
    Environments are kept apart by database instead (one DuckDB file per environment via OMNI_DUCKDB_PATH,
    one Spark catalog/cluster per environment); see DECISIONS.md.
-#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
