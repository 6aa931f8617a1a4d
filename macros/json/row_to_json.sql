{#-
    JSON text (one object, column name -> value) of the whole row of `relation_alias`, the alias of a table or
    CTE in the FROM clause. Used to keep a quarantined row's full payload whatever its source's columns are.
-#}
{% macro row_to_json(relation_alias) -%}
    {{ return(adapter.dispatch('row_to_json', 'omnichannel_member_warehouse')(relation_alias)) }}
{%- endmacro %}

{% macro default__row_to_json(relation_alias) -%}
    to_json(struct({{ relation_alias }}.*))
{%- endmacro %}

{#- DuckDB treats a relation alias as a struct of its columns -#}
{% macro duckdb__row_to_json(relation_alias) -%}
    cast(to_json({{ relation_alias }}) as varchar)
{%- endmacro %}
