{#-
    Every landed loyalty tier change, typed and checked. Natural key (card_no, changed_at); changed_at is
    part of the key, so a missing one is missing_key and an unparseable one invalid_timestamp. Quarantine
    checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = ['card_no', 'from_tier', 'to_tier', 'changed_at', 'reason'] -%}
{%- set text_columns = source_text_columns('crm', 'tier_changes', default=content_columns) %}

with

source as (

    select * from {{ source('crm', 'tier_changes') }}

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
        nullif(upper(trim(from_tier)), '') as from_tier,
        upper(trim(to_tier)) as to_tier,
        {{ iso8601_to_utc('changed_at') }} as changed_at,
        upper(trim(reason)) as change_reason,
        nullif(trim(changed_at), '') is null as _is_raw_changed_at_missing,
        substring(filename, {{ dbt.position("'crm/tier_changes/'", 'filename') }}) as _source_file,
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
            when card_no is null or _is_raw_changed_at_missing then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(to_tier, '') not in ('T1', 'T2', 'T3', 'T4') then 'invalid_code'
            when from_tier not in ('T1', 'T2', 'T3', 'T4') then 'invalid_code'
            when coalesce(change_reason, '') not in ('UPGRADE', 'DOWNGRADE', 'MANUAL') then 'invalid_code'
            when changed_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('changed_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('changed_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['card_no', 'changed_at']) }}

),

final as (

    select
        card_no,
        from_tier,
        to_tier,
        changed_at,
        change_reason,
        cast({{ utc_to_shanghai_local('changed_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
