{#-
    Every landed store-master row, typed and checked (CSV: every column arrives as text). A dimension: every
    distinct version of a store_id is kept with its validity interval (floor area remeasured, O2O switched
    on, store closed); exact re-sends are quarantined as duplicate_row.
    A floor area that does not parse does not quarantine the store version (the store would vanish for every
    fact that references it for a descriptive attribute): it is NULL. A closing date that does not parse does
    quarantine the version (invalid_timestamp), since NULL would claim the store is open; the previous version
    of the store then stays current.
    The store's phone is normalised like any phone; a landline keeps its digits in store_phone_digits so the
    identity layer can recognise the store's number keyed by a cashier for a walk-in.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

{%- set content_columns = [
    'store_id', 'store_name', 'banner_code', 'banner_name', 'city', 'city_tier', 'region', 'floor_area_sqm',
    'opened_on', 'closed_on', 'is_o2o_enabled', 'store_phone', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('stores', 'store_master', default=content_columns) %}

with

source as (

    select * from {{ source('stores', 'store_master') }}

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(content_columns) }} as _row_fingerprint,
        {{ text_value_issue(text_columns) }} as _text_issue
    from source

),

renamed as (

    select
        nullif(trim(store_id), '') as store_id,
        nullif(trim(store_name), '') as store_name,
        upper(trim(banner_code)) as banner_code,
        nullif(trim(banner_name), '') as banner_name,
        nullif(trim(city), '') as city,
        lower(trim(city_tier)) as city_tier,
        lower(trim(region)) as region,
        {{ try_cast_or_null('trim(floor_area_sqm)', 'decimal(18, 2)') }} as floor_area_sqm,
        {{ safe_to_date('opened_on') }} as opened_on,
        {{ safe_to_date('closed_on') }} as closed_on,
        upper(trim(is_o2o_enabled)) as _o2o_flag,
        {{ normalize_cn_mobile('store_phone') }} as store_phone,
        {{ cn_mobile_issue('store_phone') }} as store_phone_issue,
        nullif(
            {{ regexp_replace_all(cn_mobile_cleaned('store_phone'), '^(?:[+]86|0086)', '') }},
            ''
        ) as store_phone_digits,
        {{ shanghai_local_to_utc(safe_to_timestamp('updated_at')) }} as updated_at,
        -- landed text of the parsed columns, kept so a quarantined row shows what failed to parse
        nullif(trim(floor_area_sqm), '') as _raw_floor_area_sqm,
        nullif(trim(opened_on), '') as _raw_opened_on,
        nullif(trim(closed_on), '') as _raw_closed_on,
        nullif(trim(updated_at), '') as _raw_updated_at,
        nullif(trim(extracted_at), '') as _raw_extracted_at,
        substring(filename, {{ dbt.position("'stores/store_master/'", 'filename') }}) as _source_file,
        {{ safe_to_timestamp('extracted_at') }} as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case _o2o_flag when 'Y' then true when 'N' then false end as is_o2o_enabled,
        case
            when store_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(banner_code, '') not in ('DS', 'HM', 'SM', 'CV') then 'invalid_code'
            when coalesce(city_tier, '') not in ('1', 'new1', '2', '3', '4') then 'invalid_code'
            when coalesce(region, '') not in ('east', 'north', 'south', 'central', 'west') then 'invalid_code'
            when coalesce(_o2o_flag, '') not in ('Y', 'N') then 'invalid_code'
            -- the validity interval and the opening date are required to place the store in time
            when updated_at is null or _extracted_at is null or opened_on is null then 'invalid_timestamp'
            when _raw_closed_on is not null and closed_on is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['store_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['store_id']) }}

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
        _row_fingerprint,
        _quarantine_reason,
        -- landed text only where it did not parse or the row is quarantined (NULL otherwise)
        case
            when _row_issue is not null or (_raw_floor_area_sqm is not null and floor_area_sqm is null)
                then _raw_floor_area_sqm
        end as _raw_floor_area_sqm,
        case when _row_issue is not null then _raw_opened_on end as _raw_opened_on,
        case when _row_issue is not null then _raw_closed_on end as _raw_closed_on,
        case when _row_issue is not null then _raw_updated_at end as _raw_updated_at,
        case when _row_issue is not null then _raw_extracted_at end as _raw_extracted_at
    from versioned

)

select * from final
