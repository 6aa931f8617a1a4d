with

base as (

    select * from {{ ref('base_stores__store_master') }}

),

final as (

    select
        store_id,
        store_name,
        banner_code,
        banner_name,
        city,
        city_tier,
        region,
        floor_area_sqm,
        opened_on,
        closed_on,
        is_o2o_enabled,
        store_phone,
        store_phone_issue,
        store_phone_digits,
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
