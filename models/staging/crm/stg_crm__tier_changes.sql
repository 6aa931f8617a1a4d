with

base as (

    select * from {{ ref('base_crm__tier_changes') }}

),

final as (

    select
        card_no,
        from_tier,
        to_tier,
        changed_at,
        change_reason,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
