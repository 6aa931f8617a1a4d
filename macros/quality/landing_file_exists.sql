{#-
    True when at least one file matches the glob `path` at execution time. Models read optional landing
    artefacts through it (the file-quarantine manifest exists only once the landing check has run), so that a
    missing file gives an empty model instead of a failed build. False while dbt parses.
-#}
{% macro landing_file_exists(path) -%}
    {{ return(adapter.dispatch('landing_file_exists', 'omnichannel_member_warehouse')(path)) }}
{%- endmacro %}

{#- DuckDB: glob() lists the matching files (none: zero rows, no error) -#}
{% macro duckdb__landing_file_exists(path) -%}
    {%- if not execute -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set result = run_query("select count(*) as file_count from glob('" ~ path ~ "')") -%}
    {{ return(result.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- Other engines read the landing area through their own catalogue: assume the artefact is there -#}
{% macro default__landing_file_exists(path) -%}
    {{ return(execute) }}
{%- endmacro %}
