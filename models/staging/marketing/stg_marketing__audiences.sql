with

base as (

    select * from {{ ref('base_marketing__audiences') }}

),

final as (

    select
        campaign_id,
        card_no,
        is_holdout,
        assigned_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
