{#-
    One row per raw landed row that staging keeps out of its stg_ model, from every base_ model (the list and
    natural keys are in macro quality_base_models; the singular test
    tests/staging/assert_every_base_model_feeds_quarantine.sql fails when a base_ model is missing from it).
    business_date is taken from the base model when it has one (facts), NULL for dimensions.
    Tombstones of erased people (reason `erased`) are not quarantined data and are left out: listing them would
    keep a trace of the person; int_rows_erased counts them.
-#}

{%- set base_models = quality_base_models() -%}

with

{% for base_model in base_models %}
    {%- set source_table = base_model.name | replace('base_', '', 1) -%}
    {%- set has_business_date = true -%}
    {%- if execute -%}
        {%- set column_names = adapter.get_columns_in_relation(ref(base_model.name))
            | map(attribute='name') | map('lower') | list -%}
        {%- set has_business_date = 'business_date' in column_names -%}
    {%- endif -%}
    {%- set key_parts = [] -%}
    {%- for column in base_model.key -%}
        {%- do key_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor %}
    {{ source_table }} as (

        select
            '{{ source_table }}' as source_table,
            {{ key_parts | join(" || '|' || ") }} as natural_key,
            _quarantine_reason as quarantine_reason,
            {{ 'business_date' if has_business_date else 'null' }} as business_date,
            _extracted_at as extracted_at,
            _source_file as source_file,
            _row_fingerprint as row_fingerprint,
            {{ row_to_json('quarantined_row') }} as raw_record
        from {{ ref(base_model.name) }} as quarantined_row  -- noqa: AL05
        where _quarantine_reason is not null and _quarantine_reason <> 'erased'

    ),

{% endfor %}
unioned as (

    {% for base_model in base_models %}
        select * from {{ base_model.name | replace('base_', '', 1) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

numbered as (

    -- identical rows landed twice in one file are two quarantined rows: number them to keep them apart
    select
        *,
        row_number() over (
            partition by source_table, source_file, row_fingerprint
            order by quarantine_reason, extracted_at
        ) as copy_in_file
    from unioned

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'source_table', "'|'", 'source_file', "'|'", 'row_fingerprint', "'|'",
            "cast(copy_in_file as " ~ dbt.type_string() ~ ")",
        ])) }} as quarantined_row_id,
        source_table,
        natural_key,
        quarantine_reason,
        cast(business_date as date) as business_date,
        extracted_at,
        source_file,
        row_fingerprint,
        raw_record
    from numbered

)

select * from final
