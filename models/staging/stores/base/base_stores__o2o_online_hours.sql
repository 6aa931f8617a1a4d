{#-
    Every landed row of store online minutes on the O2O apps, typed and checked. A fact without versions:
    exact re-sends are quarantined as duplicate_row; should a store day arrive again with other minutes, the
    latest extract wins and the older row is quarantined as superseded_version.
    Quarantine checks, in order: missing_key, invalid_timestamp, future_timestamp, invalid_amount,
    duplicate_row, superseded_version.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

{%- set content_columns = ['store_id', 'business_date', 'scheduled_minutes', 'online_minutes'] -%}
{%- set text_columns = source_text_columns('stores', 'o2o_online_hours', default=content_columns) %}

with

source as (

    select * from {{ source('stores', 'o2o_online_hours') }}

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
        cast(business_date as date) as business_date,
        {{ try_cast_or_null('scheduled_minutes', dbt.type_int()) }} as scheduled_minutes,
        {{ try_cast_or_null('online_minutes', dbt.type_int()) }} as online_minutes,
        substring(filename, {{ dbt.position("'stores/o2o_online_hours/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when store_id is null or business_date is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when _extracted_at is null then 'invalid_timestamp'
            -- a day's minutes are known at the end of the day: a date more than a day after the extract is wrong
            when {{ is_implausibly_early('business_date') }} then 'invalid_timestamp'
            when business_date > cast({{ dbt.dateadd('day', 1, '_extracted_at') }} as date)
                or {{ is_after_run_time('_extracted_at') }}
                then 'future_timestamp'
            -- minutes of one day lie between 0 and 1440
            when scheduled_minutes is null or online_minutes is null then 'invalid_amount'
            when scheduled_minutes not between 0 and 1440 or online_minutes not between 0 and 1440
                then 'invalid_amount'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['store_id', 'business_date'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        store_id,
        business_date,
        scheduled_minutes,
        online_minutes,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from quarantined

)

select * from final
