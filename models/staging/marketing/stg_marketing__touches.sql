with

base as (

    select * from {{ ref('base_marketing__touches') }}

),

final as (

    select
        touch_id,
        campaign_id,
        card_no,
        touch_status,
        touched_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
