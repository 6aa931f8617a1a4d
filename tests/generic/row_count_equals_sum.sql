{#-
    Reconciles a row count against the sum of the row counts of its parts, e.g. raw rows = staged rows +
    quarantined rows. Returns one row (source_rows, parts_rows, unexplained_rows) when they differ.

    source_relation: the relation whose rows must all be accounted for; defaults to the model the test is
                     attached to (the test's `where` config filters it in that case).
    source_where:    optional SQL filter on source_relation.
    parts:           non-empty list; each item is a relation (ref()/source()) or a mapping
                     {relation: ref(...)/source(...), where: "<SQL filter>"}.
-#}
{% test row_count_equals_sum(model, parts, source_relation=none, source_where=none) %}

{%- if parts is string or parts is mapping or parts | length == 0 -%}
    {{ exceptions.raise_compiler_error("row_count_equals_sum: parts must be a non-empty list") }}
{%- endif -%}
{%- set total_relation = source_relation if source_relation is not none else model -%}

with

source_count as (

    select count(*) as row_count
    from {{ total_relation }}
    {%- if source_where %}
    where {{ source_where }}
    {%- endif %}

),

part_counts as (

    {% for part in parts -%}
        {#- a dbt Relation is itself a Mapping, so recognise the {relation:, where:} form by its key -#}
        {%- set is_spec = part is mapping and 'relation' in part -%}
        {%- set part_relation = part['relation'] if is_spec else part -%}
        {%- set part_where = part.get('where') if is_spec else none -%}
        {%- if part_relation is none or part_relation is string and part_relation | trim == '' -%}
            {{ exceptions.raise_compiler_error("row_count_equals_sum: part " ~ loop.index ~ " has no relation") }}
        {%- endif -%}
    select
        {{ loop.index }} as part_index,
        count(*) as row_count
    from {{ part_relation }}
        {%- if part_where %}
    where {{ part_where }}
        {%- endif %}
        {%- if not loop.last %}

    union all

    {% endif -%}
    {%- endfor %}

),

comparison as (

    select
        source_count.row_count as source_rows,
        sum(part_counts.row_count) as parts_rows,
        source_count.row_count - sum(part_counts.row_count) as unexplained_rows
    from source_count
    cross join part_counts
    group by source_count.row_count

)

select * from comparison
where unexplained_rows <> 0

{% endtest %}
