with

base as (

    select * from {{ ref('base_marketing__coupon_templates') }}

),

final as (

    select
        template_id,
        campaign_id,
        face_value_amount,
        threshold_amount,
        valid_days,
        channel_scope,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
