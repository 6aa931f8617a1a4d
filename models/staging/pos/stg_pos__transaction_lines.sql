with

base as (

    select * from {{ ref('base_pos__transaction_lines') }}

),

final as (

    select
        ticket_id,
        line_no,
        sku_id,
        category_code,
        quantity,
        unit_price,
        net_amount,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
