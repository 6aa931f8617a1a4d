with

base as (

    select * from {{ ref('base_crm__points_ledger') }}

),

final as (

    select
        ledger_id,
        card_no,
        change_type,
        points,
        source_order_id,
        occurred_at,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
