with

base as (

    select * from {{ ref('base_marketing__coupons_issued') }}

),

final as (

    select
        coupon_code,
        template_id,
        campaign_id,
        card_no,
        issue_channel,
        issued_at,
        expires_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
