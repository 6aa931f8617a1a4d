{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). Staging derives business_date from the UTC created_at, so the two agreeing is an
    end-to-end check of the UTC -> Asia/Shanghai conversion. (Lines are left out: their business_date is the
    partition itself.) Returns the usable rows whose business_date differs from the dt of their landing
    file.
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

orders as (

    select
        'stg_ecommerce__orders' as model_name,
        platform || '|' || order_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_ecommerce__orders') }}

),

final as (

    select
        model_name,
        natural_key,
        business_date,
        _source_file
    from orders
    where business_date <> cast({{ partition_date }} as date)

)

select * from final
