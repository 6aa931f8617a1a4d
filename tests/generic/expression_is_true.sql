{#-
    Rows for which the boolean SQL expression is false. A NULL result passes (like SQL CHECK constraints);
    write `x is not null and ...` when NULL must fail. Used on a column, the expression is appended to the
    column name: `expression: ">= 0"` on column amount tests `amount >= 0`.
-#}
{% test expression_is_true(model, expression, column_name=none) %}

{%- set condition = (column_name ~ ' ' ~ expression) if column_name is not none else expression -%}

with

failing_rows as (

    select *
    from {{ model }}
    where not ({{ condition }})

)

select * from failing_rows

{% endtest %}
