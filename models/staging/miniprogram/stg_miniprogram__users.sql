with

base as (

    select * from {{ ref('base_miniprogram__users') }}

),

final as (

    select
        openid,
        unionid,
        phone,
        phone_issue,
        nickname,
        registered_at,
        phone_authorised_at,
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
