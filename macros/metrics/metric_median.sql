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

{#- Median of a numeric expression as a window function over `over_clause` (the body of OVER (...), frame
    included), with the same definition as metric_median: the mean of the two middle values for an even count,
    NULL when the frame holds no non-NULL value. -#}
{% macro metric_median_window(expr, over_clause) -%}
    {{ return(adapter.dispatch('metric_median_window', 'omnichannel_member_warehouse')(expr, over_clause)) }}
{%- endmacro %}

{#- Spark: percentile() is an exact aggregate that interpolates like percentile_cont and takes a window frame. -#}
{% macro default__metric_median_window(expr, over_clause) -%}
    percentile({{ expr }}, 0.5) over ({{ over_clause }})
{%- endmacro %}

{% macro duckdb__metric_median_window(expr, over_clause) -%}
    median({{ expr }}) over ({{ over_clause }})
{%- endmacro %}
