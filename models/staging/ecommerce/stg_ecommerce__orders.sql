with

base as (

    select * from {{ ref('base_ecommerce__orders') }}

),

final as (

    select
        platform,
        order_id,
        shop_id,
        buyer_id,
        buyer_key,
        masked_phone,
        order_status,
        created_at,
        paid_at,
        completed_at,
        business_date,
        total_amount,
        discount_amount,
        payment_amount,
        refund_amount,
        coupon_code,
        receiver_city,
        updated_at,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
