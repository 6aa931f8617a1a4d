{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). Staging derives business_date from the ISO-8601 text with offset instead, so the two
    agreeing is an end-to-end check of the ISO -> UTC -> Asia/Shanghai conversion (and of the landing
    layout). Returns the usable rows whose business_date differs from the dt of their landing file.
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

points_ledger as (

    select
        'stg_crm__points_ledger' as model_name,
        ledger_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_crm__points_ledger') }}

),

tier_changes as (

    select
        'stg_crm__tier_changes' as model_name,
        card_no as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_crm__tier_changes') }}

),

consent_events as (

    select
        'stg_crm__consent_events' as model_name,
        card_no as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_crm__consent_events') }}

),

unioned as (

    select * from points_ledger
    union all
    select * from tier_changes
    union all
    select * from consent_events

),

final as (

    select
        model_name,
        natural_key,
        business_date,
        _source_file
    from unioned
    where business_date <> cast({{ partition_date }} as date)

)

select * from final
