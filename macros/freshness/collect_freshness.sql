{#- dbt's own collect_freshness, with "now" taken from freshness_reference_at(): see _macros.yml. dbt looks in
    the root project first for the macros it dispatches, so this version replaces dbt's on every adapter. -#}
{% macro default__collect_freshness(source, loaded_at_field, filter) %}
    {% call statement('collect_freshness', fetch_result=True, auto_begin=False) -%}
        select
            max({{ loaded_at_field }}) as max_loaded_at,
            {{ freshness_reference_at() }} as snapshotted_at
        from {{ source }}
        {% if filter -%}
            where {{ filter }}
        {%- endif %}
    {%- endcall %}
    {{ return(load_result('collect_freshness')) }}
{% endmacro %}

{% macro freshness_reference_at() -%}
    {%- set reference = var('freshness_reference_at', none) -%}
    {%- if reference -%}
        cast('{{ reference }}' as timestamp)
    {%- else -%}
        {{ dbt.current_timestamp() }}
    {%- endif -%}
{%- endmacro %}
