with

base as (

    select * from {{ ref('base_wecom__staff') }}

),

final as (

    select
        staff_id,
        staff_name,
        store_id,
        role,
        phone,
        phone_issue,
        joined_on,
        left_on,
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
