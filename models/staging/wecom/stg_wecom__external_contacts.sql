with

base as (

    select * from {{ ref('base_wecom__external_contacts') }}

),

final as (

    select
        external_userid,
        unionid,
        staff_id,
        store_id,
        add_way,
        added_at,
        deleted_at,
        is_active_friend,
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
