with

base as (

    select * from {{ ref('base_behaviour__platform_events') }}

),

final as (

    select
        event_id,
        platform,
        buyer_id,
        buyer_key,
        event_type,
        sku_id,
        campaign_id,
        event_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
