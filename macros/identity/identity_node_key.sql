{#-
    64-bit integer key of an identifier, for the connected-components rounds (integers join and compare far
    faster than (type, value) text pairs). Only an internal label: member ids are derived from the anchor
    identifier's text, never from this key. A collision would merge two identifiers, so
    int_identifiers_guarded tests node_key for uniqueness and the build fails instead.
-#}
{% macro identity_node_key(type_expr, value_expr) -%}
    {{ return(adapter.dispatch('identity_node_key', 'omnichannel_member_warehouse')(type_expr, value_expr)) }}
{%- endmacro %}

{#- DuckDB: hash() is a 64-bit unsigned hash; halved to fit a signed bigint -#}
{% macro duckdb__identity_node_key(type_expr, value_expr) -%}
    cast(hash({{ type_expr }} || ':' || {{ value_expr }}) >> 1 as bigint)
{%- endmacro %}

{#- Spark and others: xxhash64 returns a signed bigint -#}
{% macro default__identity_node_key(type_expr, value_expr) -%}
    xxhash64(concat({{ type_expr }}, ':', {{ value_expr }}))
{%- endmacro %}
