{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). Staging derives business_date from the local ordered_at, so the two agreeing checks
    that the local date is taken before the conversion to UTC. Returns the usable rows whose business_date
    differs from the dt of their landing file.
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

delivery_orders as (

    select
        'stg_o2o__delivery_orders' as model_name,
        delivery_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_o2o__delivery_orders') }}

),

final as (

    select
        model_name,
        natural_key,
        business_date,
        _source_file
    from delivery_orders
    where business_date <> cast({{ partition_date }} as date)

)

select * from final
