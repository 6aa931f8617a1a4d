{#-
    Every landed WeCom external-contact row (a customer's friendship with one guide), typed and checked. A
    dimension keyed by (external_userid, staff_id): every distinct version is kept with its validity interval,
    so a friendship that was deleted (and possibly re-added) can be replayed; exact re-sends are quarantined
    as duplicate_row. Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp,
    future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = [
    'external_userid', 'unionid', 'staff_id', 'store_id', 'add_way', 'added_at', 'deleted_at', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('wecom', 'external_contacts', default=content_columns) %}

with

source as (

    select * from {{ source('wecom', 'external_contacts') }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'external_userid', 'columns': ['external_userid'], 'value': clean_identifier('external_userid')},
            {'type': 'unionid', 'columns': ['unionid'], 'value': clean_identifier('unionid')},
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
        {{ clean_identifier('external_userid') }} as external_userid,
        {{ clean_identifier('unionid') }} as unionid,
        nullif(trim(staff_id), '') as staff_id,
        nullif(trim(store_id), '') as store_id,
        upper(trim(add_way)) as add_way,
        {{ epoch_s_to_utc('added_at') }} as added_at,
        {{ epoch_s_to_utc('deleted_at') }} as deleted_at,
        {{ epoch_s_to_utc('updated_at') }} as updated_at,
        substring(filename, {{ dbt.position("'wecom/external_contacts/'", 'filename') }}) as _source_file,
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
            when external_userid is null or staff_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when add_way is null or add_way not in ('QR_CODE', 'SEARCH', 'GROUP', 'SHARE') then 'invalid_code'
            when added_at is null or updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['external_userid', 'staff_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['external_userid', 'staff_id']) }}

),

final as (

    select
        external_userid,
        unionid,
        staff_id,
        store_id,
        add_way,
        added_at,
        deleted_at,
        deleted_at is null as is_active_friend,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from versioned

)

select * from final
