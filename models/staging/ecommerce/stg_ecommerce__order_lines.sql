with

base as (

    select * from {{ ref('base_ecommerce__order_lines') }}

),

final as (

    select
        platform,
        order_id,
        line_id,
        sku_id,
        category_code,
        quantity,
        unit_price,
        payment_amount,
        refund_amount,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
