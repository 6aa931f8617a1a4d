with

base as (

    select * from {{ ref('base_crm__consent_events') }}

),

final as (

    select
        card_no,
        channel,
        consent_status,
        is_opted_in,
        changed_at,
        consent_source,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
