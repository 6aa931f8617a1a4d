{#-
    Every landed coupon redemption, typed and checked. Whether the coupon exists, and the store and the order
    it names, are checked in the intermediate layer (no joins in staging). Quarantine checks, in order:
    missing_key, invalid_code, invalid_timestamp, future_timestamp, duplicate_row.
    missing_value right after missing_key: coupon_code NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['redemption_id'],
) }}

{%- set content_columns = [
    'redemption_id', 'coupon_code', 'redeem_channel', 'store_id', 'order_id', 'redeemed_at',
] -%}
{%- set text_columns = source_text_columns('marketing', 'coupon_redemptions', default=content_columns) %}

with

source as (

    select * from {{ landing_source('marketing', 'coupon_redemptions') }}

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
        nullif(trim(redemption_id), '') as redemption_id,
        nullif(trim(coupon_code), '') as coupon_code,
        upper(trim(redeem_channel)) as redeem_channel,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(order_id), '') as order_id,
        {{ shanghai_local_to_utc('redeemed_at') }} as redeemed_at,
        substring(filename, {{ dbt.position("'marketing/coupon_redemptions/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when redemption_id is null then 'missing_key'
            when coupon_code is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when coalesce(redeem_channel, '') not in ('POS', 'MINIPROGRAM', 'TMALL', 'JD') then 'invalid_code'
            when redeemed_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('redeemed_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('redeemed_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['redemption_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['redemption_id']) }}

),

final as (

    select
        redemption_id,
        coupon_code,
        redeem_channel,
        store_id,
        order_id,
        redeemed_at,
        cast({{ utc_to_shanghai_local('redeemed_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from quarantined

)

select * from final
