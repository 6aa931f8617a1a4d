{#- One row (row_count = 0) when the model, after the test's optional `where` config, has no rows. -#}
{% test not_empty(model) %}

with

counted as (

    select count(*) as row_count
    from {{ model }}

)

select row_count
from counted
where row_count = 0

{% endtest %}
