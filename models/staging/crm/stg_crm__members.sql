with

base as (

    select * from {{ ref('base_crm__members') }}

),

final as (

    select
        card_no,
        card_type,
        phone,
        phone_issue,
        member_name,
        gender,
        birthday,
        birthday_issue,
        city,
        enrol_store_id,
        enrol_channel,
        enrolled_at,
        tier_code,
        member_status,
        is_test_account,
        is_staff_account,
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
