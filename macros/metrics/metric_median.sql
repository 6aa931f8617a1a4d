{#- Median of a numeric expression as an aggregate (the mean of the two middle values for an even count). -#}
{% macro metric_median(expr) -%}
    {{ return(adapter.dispatch('metric_median', 'omnichannel_member_warehouse')(expr)) }}
{%- endmacro %}

{% macro default__metric_median(expr) -%}
    percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}

{% macro duckdb__metric_median(expr) -%}
    median({{ expr }})
{%- endmacro %}
