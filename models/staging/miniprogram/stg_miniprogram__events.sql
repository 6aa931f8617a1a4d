with

base as (

    select * from {{ ref('base_miniprogram__events') }}

),

final as (

    select
        event_id,
        openid,
        event_type,
        sku_id,
        event_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
