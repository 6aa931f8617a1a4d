{#-
    Every landed campaign touch (one row per status a message reached: SENT, DELIVERED, OPENED, CLICKED),
    typed and checked. Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp,
    future_timestamp, duplicate_row.
    missing_value right after missing_key: campaign_id or card_no NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['touch_id'],
) }}

{%- set content_columns = ['touch_id', 'campaign_id', 'card_no', 'touch_status', 'touched_at'] -%}
{%- set text_columns = source_text_columns('marketing', 'touches', default=content_columns) %}

with

source as (

    select * from {{ landing_source('marketing', 'touches', erasure_identifiers={'card_no': 'card_no'}) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'card_no', 'columns': ['card_no'], 'value': clean_identifier('card_no')},
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
        nullif(trim(touch_id), '') as touch_id,
        nullif(trim(campaign_id), '') as campaign_id,
        {{ clean_identifier('card_no') }} as card_no,
        upper(trim(touch_status)) as touch_status,
        {{ shanghai_local_to_utc('touched_at') }} as touched_at,
        substring(filename, {{ dbt.position("'marketing/touches/'", 'filename') }}) as _source_file,
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
            when touch_id is null then 'missing_key'
            when campaign_id is null or card_no is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when coalesce(touch_status, '') not in ('SENT', 'DELIVERED', 'OPENED', 'CLICKED') then 'invalid_code'
            when touched_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('touched_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('touched_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['touch_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['touch_id']) }}

),

final as (

    select
        touch_id,
        campaign_id,
        card_no,
        touch_status,
        touched_at,
        cast({{ utc_to_shanghai_local('touched_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
