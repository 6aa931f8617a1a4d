{#-
    Every landed mini-program user row, typed and checked. A dimension: every distinct version of an openid
    is kept with its validity interval (the phone appears once the user authorises it); exact re-sends are
    quarantined as duplicate_row. Quarantine checks, in order: missing_key, invalid_timestamp,
    future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = [
    'openid', 'unionid', 'phone', 'nickname', 'registered_at', 'phone_authorised_at', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('miniprogram', 'users', default=content_columns) %}

with

source as (

    select * from {{ source('miniprogram', 'users') }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'openid', 'columns': ['openid'], 'value': clean_identifier('openid')},
            {'type': 'unionid', 'columns': ['unionid'], 'value': clean_identifier('unionid')},
            {'type': 'phone', 'columns': ['phone'], 'value': normalize_cn_mobile('phone')},
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
        {{ clean_identifier('openid') }} as openid,
        {{ clean_identifier('unionid') }} as unionid,
        {{ normalize_cn_mobile('phone') }} as phone,
        {{ cn_mobile_issue('phone') }} as phone_issue,
        nullif(trim(nickname), '') as nickname,
        {{ epoch_ms_to_utc('registered_at') }} as registered_at,
        {{ epoch_ms_to_utc('phone_authorised_at') }} as phone_authorised_at,
        {{ epoch_ms_to_utc('updated_at') }} as updated_at,
        substring(filename, {{ dbt.position("'miniprogram/users/'", 'filename') }}) as _source_file,
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
            when openid is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when registered_at is null or updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['openid'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['openid']) }}

),

final as (

    select
        openid,
        unionid,
        phone,
        phone_issue,
        nickname,
        registered_at,
        phone_authorised_at,
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
