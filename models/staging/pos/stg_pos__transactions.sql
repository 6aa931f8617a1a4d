with

base as (

    select * from {{ ref('base_pos__transactions') }}

),

final as (

    select
        ticket_id,
        store_id,
        till_no,
        cashier_id,
        transaction_type,
        is_refund,
        original_ticket_id,
        transacted_at,
        business_date,
        card_no,
        phone,
        phone_issue,
        gross_amount,
        discount_amount,
        net_amount,
        coupon_code,
        payment_method,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
