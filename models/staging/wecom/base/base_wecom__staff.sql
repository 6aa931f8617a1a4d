{#-
    Every landed WeCom staff row (store guides and other employees), typed and checked. A dimension: every
    distinct version of a staff_id is kept with its validity interval (store moves, leaving); exact re-sends
    are quarantined as duplicate_row. Quarantine checks, in order: missing_key, invalid_code,
    invalid_timestamp, future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is kept with its personal columns nulled.
-#}

{%- set content_columns = [
    'staff_id', 'staff_name', 'store_id', 'role', 'phone', 'joined_on', 'left_on', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('wecom', 'staff', default=content_columns) %}

with

source as (

    select * from {{ source('wecom', 'staff') }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'phone', 'columns': ['phone'], 'value': normalize_cn_mobile('phone')},
        ],
        action='anonymise',
        anonymise=['phone', 'staff_name'],
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
        nullif(trim(staff_id), '') as staff_id,
        nullif(trim(staff_name), '') as staff_name,
        nullif(trim(store_id), '') as store_id,
        upper(trim(role)) as role,
        {{ normalize_cn_mobile('phone') }} as phone,
        {{ cn_mobile_issue('phone') }} as phone_issue,
        cast(joined_on as date) as joined_on,
        cast(left_on as date) as left_on,
        {{ epoch_s_to_utc('updated_at') }} as updated_at,
        substring(filename, {{ dbt.position("'wecom/staff/'", 'filename') }}) as _source_file,
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
            when staff_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when role is null or role not in ('GUIDE', 'MANAGER', 'CASHIER') then 'invalid_code'
            when updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['staff_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['staff_id']) }}

),

final as (

    select
        staff_id,
        staff_name,
        store_id,
        role,
        phone,
        phone_issue,
        joined_on,
        left_on,
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
