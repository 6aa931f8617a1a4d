{#-
    Which implementation computes the identity graph's connected components (see DECISIONS.md "Identity
    rules"): var('identity_cc_engine') = 'sql' (default: iterative SQL rounds, any engine) or 'scipy' (dbt
    Python model calling scipy, DuckDB only). Both give identical components;
    pytests/test_identity_stability.py builds with both and compares every member id.
-#}
{% macro identity_cc_engine() -%}
    {%- set requested = var('identity_cc_engine', 'sql') -%}
    {%- if requested not in ('sql', 'scipy') -%}
        {{ exceptions.raise_compiler_error("var identity_cc_engine must be sql or scipy, not " ~ requested) }}
    {%- endif -%}
    {%- if requested == 'scipy' and target.type != 'duckdb' -%}
        {{ exceptions.raise_compiler_error("identity_cc_engine = scipy needs the DuckDB target (Python models)") }}
    {%- endif -%}
    {{ return(requested) }}
{%- endmacro %}
