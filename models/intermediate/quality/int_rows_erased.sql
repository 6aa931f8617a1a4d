{#-
    Counts only: how many landed rows of each source table the erasure list removed. One row per base_ model
    (macro quality_base_models), zero for tables that carry no personal identifier. Nothing here says whose
    rows they were: no key, no file, no date, so the counts keep no trace of an erased person. With
    int_rows_quarantined it closes the row conservation of every stg_ model:
    raw = staged + quarantined + erased_row_count (test staging_rows_conserved).
-#}

{%- set base_models = quality_base_models() -%}

with

{% for base_model in base_models %}
    {%- set source_table = base_model.name | replace('base_', '', 1) -%}
    {#- tables without a personal identifier have no _erasure_action: their counts are 0 -#}
    {%- set has_erasure = true -%}
    {%- if execute -%}
        {%- set column_names = adapter.get_columns_in_relation(ref(base_model.name))
            | map(attribute='name') | map('lower') | list -%}
        {%- set has_erasure = '_erasure_action' in column_names -%}
    {%- endif %}
    {%- set is_dropped = "_erasure_action = 'dropped'" if has_erasure else 'false' -%}
    {%- set is_anonymised = "_erasure_action = 'anonymised'" if has_erasure else 'false' %}
    {{ source_table }} as (

        select
            '{{ source_table }}' as source_table,
            count(case when {{ is_dropped }} then 1 end) as erased_row_count,
            count(case when {{ is_anonymised }} then 1 end) as anonymised_row_count
        from {{ ref(base_model.name) }}

    ),

{% endfor %}
unioned as (

    {% for base_model in base_models %}
        select * from {{ base_model.name | replace('base_', '', 1) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        source_table,
        cast(erased_row_count as {{ dbt.type_bigint() }}) as erased_row_count,
        cast(anonymised_row_count as {{ dbt.type_bigint() }}) as anonymised_row_count
    from unioned

)

select * from final
