{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). Staging derives business_date from the epoch-millisecond time stamp instead, so the
    two agreeing is an end-to-end check of the epoch -> UTC -> Asia/Shanghai conversion (and of the landing
    layout). Returns the usable rows whose business_date differs from the dt of their landing file.
    (Order lines are left out: their business_date is the partition itself.)
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

orders as (

    select
        'stg_miniprogram__orders' as model_name,
        order_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_miniprogram__orders') }}

),

events as (

    select
        'stg_miniprogram__events' as model_name,
        event_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_miniprogram__events') }}

),

unioned as (

    select * from orders
    union all
    select * from events

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
