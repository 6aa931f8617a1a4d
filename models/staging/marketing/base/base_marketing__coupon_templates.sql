{#-
    Every landed coupon template row, typed and checked. A dimension: every distinct version of a
    template_id is kept with its validity interval; exact re-sends are quarantined as duplicate_row.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    invalid_amount, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

{%- set content_columns = [
    'template_id', 'campaign_id', 'face_value', 'threshold_amount', 'valid_days', 'channel_scope', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('marketing', 'coupon_templates', default=content_columns) %}

with

source as (

    select * from {{ source('marketing', 'coupon_templates') }}

),

fingerprinted as (

    select
        *,
        {{ row_fingerprint(content_columns) }} as _row_fingerprint,
        {{ text_value_issue(text_columns) }} as _text_issue
    from source

),

renamed as (

    select
        nullif(trim(template_id), '') as template_id,
        nullif(trim(campaign_id), '') as campaign_id,
        {{ to_yuan('face_value') }} as face_value_amount,
        {{ to_yuan('threshold_amount') }} as threshold_amount,
        {{ try_cast_or_null('valid_days', dbt.type_int()) }} as valid_days,
        valid_days is not null as _has_raw_valid_days,
        upper(trim(channel_scope)) as channel_scope,
        {{ shanghai_local_to_utc('updated_at') }} as updated_at,
        face_value is not null as _has_raw_face_value,
        threshold_amount is not null as _has_raw_threshold_amount,
        substring(filename, {{ dbt.position("'marketing/coupon_templates/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when template_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(channel_scope, '') not in ('ALL', 'ONLINE', 'OFFLINE') then 'invalid_code'
            when updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
            when _has_raw_face_value and face_value_amount is null then 'invalid_amount'
            when _has_raw_threshold_amount and threshold_amount is null then 'invalid_amount'
            when _has_raw_valid_days and valid_days is null then 'invalid_amount'
            -- a coupon is worth something, asks a threshold of at least nothing and lasts at least a day
            when face_value_amount <= 0 or threshold_amount < 0 or valid_days < 1 then 'invalid_amount'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['template_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['template_id']) }}

),

final as (

    select
        template_id,
        campaign_id,
        face_value_amount,
        threshold_amount,
        valid_days,
        channel_scope,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from versioned

)

select * from final
