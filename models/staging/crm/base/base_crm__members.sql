{#-
    Every landed CRM member row, typed and checked. A dimension: every distinct version of a card_no is kept
    with its validity interval, because each version's phone matters to the identity graph (members change
    numbers); exact re-sends are quarantined as duplicate_row. Test and staff cards are flagged, not removed.
    A bad birthday is set to NULL and explained in birthday_issue; it never quarantines the row.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = [
    'card_no', 'card_type', 'phone', 'member_name', 'gender', 'birthday', 'city', 'enrol_store_id',
    'enrol_channel', 'enrolled_at', 'tier_code', 'member_status', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('crm', 'members', default=content_columns) %}

with

source as (

    select * from {{ source('crm', 'members') }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'card_no', 'columns': ['card_no'], 'value': clean_identifier('card_no')},
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
        {{ clean_identifier('card_no') }} as card_no,
        upper(trim(card_type)) as card_type,
        {{ normalize_cn_mobile('phone') }} as phone,
        {{ cn_mobile_issue('phone') }} as phone_issue,
        nullif(trim(member_name), '') as member_name,
        case upper(trim(gender))
            when 'M' then 'M'
            when '男' then 'M'
            when 'F' then 'F'
            when '女' then 'F'
        end as gender,
        nullif(trim(birthday), '') as _raw_birthday,
        {{ safe_to_date('birthday') }} as _parsed_birthday,
        nullif(trim(city), '') as city,
        nullif(trim(enrol_store_id), '') as enrol_store_id,
        upper(trim(enrol_channel)) as enrol_channel,
        {{ iso8601_to_utc('enrolled_at') }} as enrolled_at,
        upper(trim(tier_code)) as tier_code,
        upper(trim(member_status)) as member_status,
        {{ iso8601_to_utc('updated_at') }} as updated_at,
        nullif(trim(enrolled_at), '') is not null as _has_raw_enrolled_at,
        substring(filename, {{ dbt.position("'crm/members/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue,
        _erasure_action
    from fingerprinted

),

flagged as (

    select
        *,
        case
            when _raw_birthday is null then null
            when _parsed_birthday is null then 'unparseable'
            when _parsed_birthday <= cast('1900-01-01' as date) then 'too_old'
            when _parsed_birthday > cast(_extracted_at as date) then 'in_future'
        end as birthday_issue,
        coalesce(
            card_type = 'TEST'
            or card_no like '000000%'
            or member_name like '%测试%'
            or lower(member_name) like '%test%',
            false
        ) as is_test_account,
        coalesce(card_type = 'EMPLOYEE' or card_no like '9%', false) as is_staff_account
    from renamed

),

checked as (

    select
        *,
        case
            -- an erased person's record: a tombstone counted by int_rows_erased, listed nowhere
            when _erasure_action = 'dropped' then 'erased'
            when card_no is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(card_type, '') not in ('NORMAL', 'EMPLOYEE', 'TEST') then 'invalid_code'
            when coalesce(enrol_channel, '') not in ('POS', 'MINIPROGRAM', 'TMALL', 'JD', 'WECOM')
                then 'invalid_code'
            when coalesce(tier_code, '') not in ('T1', 'T2', 'T3', 'T4') then 'invalid_code'
            when coalesce(member_status, '') not in ('ACTIVE', 'CANCELLED') then 'invalid_code'
            when updated_at is null then 'invalid_timestamp'
            when _has_raw_enrolled_at and enrolled_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
        end as _row_issue
    from flagged

),

quarantined as (

    {{ quarantine_duplicates('checked', ['card_no'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['card_no']) }}

),

final as (

    select
        card_no,
        card_type,
        phone,
        phone_issue,
        member_name,
        gender,
        case when birthday_issue is null then _parsed_birthday end as birthday,
        birthday_issue,
        city,
        enrol_store_id,
        enrol_channel,
        enrolled_at,
        tier_code,
        member_status,
        is_test_account,
        is_staff_account,
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
