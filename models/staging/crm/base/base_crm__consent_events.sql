{#-
    Every landed marketing-consent change, typed and checked. Natural key (card_no, channel, changed_at);
    the consent of a member on a channel as of any time is the status of the latest event at or before it,
    which the intermediate layer derives. Quarantine checks, in order: missing_key, invalid_code,
    invalid_timestamp, future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
    Fail-safe: a quarantined row that may be an opt-out (its status does not read as an opt-in: OPT_OUT
    misspelt, an unknown word, nothing) still blocks marketing on its channel (on every channel when the
    channel is not one of the four) from its own time when that is valid, else from its extract
    (`_blocks_targeting`, `_blocked_channel`, `_blocked_from_at`); int_card_consent_historized applies it until
    a valid later statement. A damaged opt-out is never read as "still opted in".
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['card_no', 'channel', 'changed_at'],
) }}

{%- set content_columns = ['card_no', 'channel', 'consent_status', 'changed_at', 'source'] -%}
{%- set text_columns = source_text_columns('crm', 'consent_events', default=content_columns) %}

with

source as (

    select * from {{ landing_source('crm', 'consent_events', erasure_identifiers={'card_no': 'card_no'}) }}

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
        {{ clean_identifier('card_no') }} as card_no,
        upper(trim(channel)) as channel,
        upper(trim(consent_status)) as consent_status,
        {{ iso8601_to_utc('changed_at') }} as changed_at,
        upper(trim(source)) as consent_source,
        nullif(trim(changed_at), '') is null as _is_raw_changed_at_missing,
        -- the status reduced to its letters: 'Opt-In', 'opt in' and 'OPTIN' all read as an opt-in
        upper({{ regexp_replace_all('consent_status', '[^A-Za-z]', "''") }}) as _status_letters,
        substring(filename, {{ dbt.position("'crm/consent_events/'", 'filename') }}) as _source_file,
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
            when card_no is null or nullif(channel, '') is null or _is_raw_changed_at_missing
                then 'missing_key'
            when _text_issue is not null then _text_issue
            when channel not in ('SMS', 'WECOM', 'MINIPROGRAM', 'EMAIL') then 'invalid_code'
            when coalesce(consent_status, '') not in ('OPT_IN', 'OPT_OUT') then 'invalid_code'
            when coalesce(consent_source, '') not in ('ENROL', 'UNSUBSCRIBE_LINK', 'STORE', 'SERVICE')
                then 'invalid_code'
            when changed_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('changed_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('changed_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

-- a damaged row that may be an opt-out blocks targeting (applied in int_card_consent_historized)
fail_safe as (

    select
        *,
        _row_issue is not null
        and _row_issue <> 'erased'
        and card_no is not null
        and coalesce(_status_letters, '') <> 'OPTIN' as _blocks_targeting,
        case
            when _row_issue = 'future_timestamp' or changed_at is null
                or {{ is_implausibly_early('changed_at') }}
                then _extracted_at
            else changed_at
        end as _blocked_from_at
    from checked

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('fail_safe', ['card_no', 'channel', 'changed_at']) }}
    {% else %}
        select * from fail_safe
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['card_no', 'channel', 'changed_at']) }}

),

final as (

    select
        card_no,
        channel,
        consent_status,
        consent_status = 'OPT_IN' as is_opted_in,
        changed_at,
        consent_source,
        cast({{ utc_to_shanghai_local('changed_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason,
        -- only quarantined rows block: a duplicate is a copy of a statement that is staged
        coalesce(_blocks_targeting and _quarantine_reason <> 'duplicate_row', false) as _blocks_targeting,
        case
            when _blocks_targeting and channel in ('SMS', 'WECOM', 'MINIPROGRAM', 'EMAIL') then channel
        end as _blocked_channel,
        case when _blocks_targeting then _blocked_from_at end as _blocked_from_at
    from quarantined

)

select * from final
