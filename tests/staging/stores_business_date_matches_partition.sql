{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). For O2O online hours business_date is a landed column of its own, so the two
    agreeing checks the landing layout. Returns the usable rows whose business_date differs from the dt of
    their landing file.
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

online_hours as (

    select
        'stg_stores__o2o_online_hours' as model_name,
        store_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_stores__o2o_online_hours') }}

),

final as (

    select
        model_name,
        natural_key,
        business_date,
        _source_file
    from online_hours
    where business_date <> cast({{ partition_date }} as date)

)

select * from final
