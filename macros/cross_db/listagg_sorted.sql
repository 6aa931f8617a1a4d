{#-
    Text of the group's values of `measure` in ascending order, joined by `delimiter_text` (a SQL string
    literal). dbt.listagg's order_by_clause is ignored by dbt-spark (collect_list order is arbitrary), so the
    Spark version sorts the collected array itself.
-#}
{% macro listagg_sorted(measure, delimiter_text) -%}
    {{ return(adapter.dispatch('listagg_sorted', 'omnichannel_member_warehouse')(measure, delimiter_text)) }}
{%- endmacro %}

{% macro default__listagg_sorted(measure, delimiter_text) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ measure) }}
{%- endmacro %}

{% macro spark__listagg_sorted(measure, delimiter_text) -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
