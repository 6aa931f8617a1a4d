with

base as (

    select * from {{ ref('base_marketing__coupon_redemptions') }}

),

final as (

    select
        redemption_id,
        coupon_code,
        redeem_channel,
        store_id,
        order_id,
        redeemed_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
