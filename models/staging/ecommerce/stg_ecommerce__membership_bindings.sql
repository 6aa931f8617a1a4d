with

base as (

    select * from {{ ref('base_ecommerce__membership_bindings') }}

),

final as (

    select
        platform,
        buyer_id,
        buyer_key,
        phone,
        phone_issue,
        bound_at,
        unbound_at,
        is_bound,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
