with

store_versions as (

    select * from {{ ref('stg_stores__store_master') }}

),

store_formats as (

    select * from {{ ref('store_formats') }}

),

first_versions as (

    -- the earliest version says since when the store is known to the master
    select
        store_id,
        min(valid_from) as first_listed_at
    from store_versions
    group by store_id

),

current_versions as (

    select * from store_versions
    where is_current

),

final as (

    select
        current_versions.store_id,
        current_versions.store_name,
        current_versions.banner_code,
        current_versions.banner_name,
        store_formats.store_format,
        current_versions.city,
        current_versions.city_tier,
        current_versions.region,
        current_versions.floor_area_sqm,
        current_versions.opened_on as opened_date,
        current_versions.closed_on as closed_date,
        current_versions.closed_on is null as is_open,
        current_versions.is_o2o_enabled,
        first_versions.first_listed_at,
        current_versions.valid_from as current_version_since
    from current_versions
    inner join first_versions
        on current_versions.store_id = first_versions.store_id
    left join store_formats
        on current_versions.banner_code = store_formats.banner_code

)

select * from final
