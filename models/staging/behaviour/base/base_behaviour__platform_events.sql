{#-
    Every landed Tmall/JD behaviour event, typed and checked. Times are UTC already. Events are immutable:
    exact re-sends are quarantined as duplicate_row; should an event_id arrive again with other content, the
    latest extract wins and the older content is quarantined as superseded_version.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    duplicate_row, superseded_version.
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

{%- set content_columns = [
    'event_id', 'platform', 'buyer_id', 'event_type', 'sku_id', 'campaign_id', 'event_time',
] -%}
{%- set text_columns = source_text_columns('behaviour', 'platform_events', default=content_columns) %}

with

source as (

    select * from {{ landing_source('behaviour', 'platform_events', erasure_identifiers={'buyer_key': 'buyer_key'}) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'buyer_key', 'columns': ['platform', 'buyer_id'], 'value': dbt.concat(["upper(trim(platform))", "':'", clean_identifier('buyer_id')])},
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
        upper(trim(platform)) as platform,
        {{ clean_identifier('buyer_id') }} as buyer_id,
        lower(trim(event_type)) as event_type,
        nullif(trim(sku_id), '') as sku_id,
        nullif(trim(campaign_id), '') as campaign_id,
        cast(event_time as {{ dbt.type_timestamp() }}) as event_at,
        substring(filename, {{ dbt.position("'behaviour/platform_events/'", 'filename') }}) as _source_file,
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
            when _text_issue is not null then _text_issue
            when coalesce(platform, '') not in ('TMALL', 'JD') then 'invalid_code'
            when coalesce(event_type, '') not in (
                    'exposure', 'search', 'view', 'add_to_cart', 'favourite', 'click'
                ) then 'invalid_code'
            when event_at is null or _extracted_at is null then 'invalid_timestamp'
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

    {{ quarantine_duplicates('landed', ['event_id'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        event_id,
        platform,
        buyer_id,
        {{ dbt.concat(['platform', "':'", 'buyer_id']) }} as buyer_key,
        event_type,
        sku_id,
        campaign_id,
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
