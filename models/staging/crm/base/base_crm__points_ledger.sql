{#-
    Every landed loyalty points movement, typed and checked. Quarantine checks, in order: missing_key,
    invalid_code, invalid_timestamp, future_timestamp, duplicate_row; invalid_amount (points beyond the
    integer type) right after missing_key, and after future_timestamp when the sign of points contradicts
    change_type (EARN >= 0, REDEEM and EXPIRE < 0).
    missing_value right after missing_key: card_no or points NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['ledger_id'],
) }}

{%- set content_columns = [
    'ledger_id', 'card_no', 'change_type', 'points', 'source_order_id', 'occurred_at',
] -%}
{%- set text_columns = source_text_columns('crm', 'points_ledger', default=content_columns) %}

with

source as (

    select * from {{ landing_source('crm', 'points_ledger', erasure_identifiers={'card_no': 'card_no'}) }}

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
        nullif(trim(ledger_id), '') as ledger_id,
        {{ clean_identifier('card_no') }} as card_no,
        upper(trim(change_type)) as change_type,
        {{ try_cast_or_null('points', dbt.type_int()) }} as points,
        points is not null as _has_raw_points,
        nullif(trim(source_order_id), '') as source_order_id,
        {{ iso8601_to_utc('occurred_at') }} as occurred_at,
        substring(filename, {{ dbt.position("'crm/points_ledger/'", 'filename') }}) as _source_file,
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
            when ledger_id is null then 'missing_key'
            -- beyond the integer type: never a failed cast
            when _has_raw_points and points is null then 'invalid_amount'
            when card_no is null or points is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when coalesce(change_type, '') not in ('EARN', 'REDEEM', 'EXPIRE', 'ADJUST') then 'invalid_code'
            when occurred_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('occurred_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('occurred_at') }} then 'future_timestamp'
            -- the sign the change type implies (earned points are positive, redeemed and expired negative)
            when (change_type = 'EARN' and points < 0) or (change_type in ('REDEEM', 'EXPIRE') and points >= 0)
                then 'invalid_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['ledger_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['ledger_id']) }}

),

final as (

    select
        ledger_id,
        card_no,
        change_type,
        points,
        source_order_id,
        occurred_at,
        cast({{ utc_to_shanghai_local('occurred_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
