{#- Ratio as an unrounded double; NULL (never an error, never 0) when the denominator is 0 or NULL. -#}
{% macro metric_safe_divide(numerator, denominator) -%}
    {{ return(adapter.dispatch('metric_safe_divide', 'omnichannel_member_warehouse')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__metric_safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as double) / nullif(cast({{ denominator }} as double), 0))
{%- endmacro %}
