{#-
    Every landed coupon issued to a member, typed and checked. Quarantine checks, in order: missing_key,
    invalid_code, invalid_timestamp (issued_at and expires_at are both required), future_timestamp (on
    issued_at), duplicate_row.
    missing_value right after missing_key: template_id or card_no NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['coupon_code'],
) }}

{%- set content_columns = [
    'coupon_code', 'template_id', 'campaign_id', 'card_no', 'issue_channel', 'issued_at', 'expires_at',
] -%}
{%- set text_columns = source_text_columns('marketing', 'coupons_issued', default=content_columns) %}

with

source as (

    select * from {{ landing_source('marketing', 'coupons_issued', erasure_identifiers={'card_no': 'card_no'}) }}

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
        nullif(trim(coupon_code), '') as coupon_code,
        nullif(trim(template_id), '') as template_id,
        nullif(trim(campaign_id), '') as campaign_id,
        {{ clean_identifier('card_no') }} as card_no,
        upper(trim(issue_channel)) as issue_channel,
        {{ shanghai_local_to_utc('issued_at') }} as issued_at,
        {{ shanghai_local_to_utc('expires_at') }} as expires_at,
        substring(filename, {{ dbt.position("'marketing/coupons_issued/'", 'filename') }}) as _source_file,
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
            when coupon_code is null then 'missing_key'
            when template_id is null or card_no is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when coalesce(issue_channel, '') not in ('MINIPROGRAM', 'WECOM', 'SMS', 'TMALL', 'POS')
                then 'invalid_code'
            when issued_at is null or expires_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('issued_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('issued_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['coupon_code']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['coupon_code']) }}

),

final as (

    select
        coupon_code,
        template_id,
        campaign_id,
        card_no,
        issue_channel,
        issued_at,
        expires_at,
        cast({{ utc_to_shanghai_local('issued_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
