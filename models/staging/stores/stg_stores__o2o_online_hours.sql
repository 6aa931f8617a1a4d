with

base as (

    select * from {{ ref('base_stores__o2o_online_hours') }}

),

final as (

    select
        store_id,
        business_date,
        scheduled_minutes,
        online_minutes,
        _source_file,
        _extracted_at,
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
