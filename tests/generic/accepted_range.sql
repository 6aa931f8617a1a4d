{#-
    Rows whose column value lies outside [min_value, max_value] (or the open interval when
    inclusive=false). Either bound may be omitted, not both. NULL values pass; pair with not_null if needed.
    Bounds are SQL expressions: numbers, quoted literals ("'2025-01-01'"), or column expressions.
-#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

{%- if min_value is none and max_value is none -%}
    {{ exceptions.raise_compiler_error("accepted_range: give min_value, max_value or both") }}
{%- endif -%}
{%- set below = '<' if inclusive else '<=' -%}
{%- set above = '>' if inclusive else '>=' -%}

with

out_of_range as (

    select *
    from {{ model }}
    where
        1 = 0
        {%- if min_value is not none %}
            or {{ column_name }} {{ below }} {{ min_value }}
        {%- endif %}
        {%- if max_value is not none %}
            or {{ column_name }} {{ above }} {{ max_value }}
        {%- endif %}

)

select * from out_of_range

{% endtest %}
