with

base as (

    select * from {{ ref('base_miniprogram__orders') }}

),

final as (

    select
        order_id,
        openid,
        store_id,
        fulfilment_type,
        order_status,
        created_at,
        paid_at,
        total_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        coupon_code,
        updated_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
