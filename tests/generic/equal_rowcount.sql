{#- One row when the model and compare_model have different row counts. -#}
{% test equal_rowcount(model, compare_model) %}

with

model_count as (

    select count(*) as row_count
    from {{ model }}

),

compare_model_count as (

    select count(*) as row_count
    from {{ compare_model }}

),

comparison as (

    select
        model_count.row_count as model_rows,
        compare_model_count.row_count as compare_model_rows,
        model_count.row_count - compare_model_count.row_count as difference
    from model_count
    cross join compare_model_count

)

select * from comparison
where difference <> 0

{% endtest %}
