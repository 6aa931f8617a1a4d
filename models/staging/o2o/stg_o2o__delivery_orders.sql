with

base as (

    select * from {{ ref('base_o2o__delivery_orders') }}

),

final as (

    select
        delivery_id,
        store_id,
        source_platform,
        source_order_id,
        order_amount,
        ordered_at,
        promised_at,
        delivered_at,
        delivery_status,
        is_late,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
