{#-
    Every landed mini-program browse/cart event, typed and checked. Quarantine checks, in order:
    missing_key, invalid_code, invalid_timestamp, future_timestamp, duplicate_row.
    missing_value right after missing_key: openid NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['event_id'],
) }}

{%- set content_columns = ['event_id', 'openid', 'event_type', 'sku_id', 'event_time'] -%}
{%- set text_columns = source_text_columns('miniprogram', 'events', default=content_columns) %}

with

source as (

    select * from {{ landing_source('miniprogram', 'events', erasure_identifiers={'openid': 'openid'}) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'openid', 'columns': ['openid'], 'value': clean_identifier('openid')},
        ],
        action='drop',
    ) }}

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(content_columns) }} as _row_fingerprint,
        {{ text_value_issue(text_columns) }} as _text_issue
    from erasure_checked

),

renamed as (

    select
        nullif(trim(event_id), '') as event_id,
        {{ clean_identifier('openid') }} as openid,
        lower(trim(event_type)) as event_type,
        nullif(trim(sku_id), '') as sku_id,
        {{ epoch_ms_to_utc('event_time') }} as event_at,
        substring(filename, {{ dbt.position("'miniprogram/events/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue,
        _erasure_action
    from fingerprinted

),

checked as (

    select
        *,
        case
            -- an erased person's record: a tombstone counted by int_rows_erased, listed nowhere
            when _erasure_action = 'dropped' then 'erased'
            when event_id is null then 'missing_key'
            when openid is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when event_type is null
                or event_type not in ('view', 'add_to_cart', 'favourite', 'search')
                then 'invalid_code'
            when event_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('event_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('event_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['event_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['event_id']) }}

),

final as (

    select
        event_id,
        openid,
        event_type,
        sku_id,
        event_at,
        cast({{ utc_to_shanghai_local('event_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
