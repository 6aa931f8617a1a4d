{#-
    Row conservation of a staging model: every raw landed row is staged, quarantined or erased.
        raw rows (source_relation) = rows of the stg_ model
                                   + rows of int_rows_quarantined for its source table
                                   + erased_row_count of int_rows_erased for its source table
    The source table name is the model's name without `stg_` (stg_pos__transactions -> pos__transactions).
    Returns one row (the four counts and the unexplained difference) when the identity does not hold.
-#}
{% test staging_rows_conserved(model, source_relation) %}

{%- set source_table = model.identifier | replace('stg_', '', 1) %}

with

raw_rows as (

    select count(*) as row_count from {{ source_relation }}

),

staged_rows as (

    select count(*) as row_count from {{ model }}

),

quarantined_rows as (

    select count(*) as row_count
    from {{ ref('int_rows_quarantined') }}
    where source_table = '{{ source_table }}'

),

erased_rows as (

    select coalesce(sum(erased_row_count), 0) as row_count
    from {{ ref('int_rows_erased') }}
    where source_table = '{{ source_table }}'

),

comparison as (

    select
        '{{ source_table }}' as source_table,
        raw_rows.row_count as raw_rows,
        staged_rows.row_count as staged_rows,
        quarantined_rows.row_count as quarantined_rows,
        erased_rows.row_count as erased_rows,
        raw_rows.row_count - staged_rows.row_count - quarantined_rows.row_count - erased_rows.row_count
            as unexplained_rows
    from raw_rows
    cross join staged_rows
    cross join quarantined_rows
    cross join erased_rows

)

select * from comparison
where unexplained_rows <> 0

{% endtest %}
