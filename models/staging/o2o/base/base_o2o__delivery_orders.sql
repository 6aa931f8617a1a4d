{#-
    Every landed O2O delivery order, typed and checked. Times arrive as Asia/Shanghai local time and are
    converted to UTC. A fact without versions: exact re-sends are quarantined as duplicate_row; should a
    delivery arrive again with other content (e.g. delivered after first being sent while under way), the
    latest extract wins and the older content is quarantined as superseded_version.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    invalid_amount, implausible_amount, duplicate_row, superseded_version.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['delivery_id'],
) }}

{%- set content_columns = [
    'delivery_id', 'store_id', 'source_platform', 'source_order_id', 'order_amount', 'ordered_at',
    'promised_at', 'delivered_at', 'delivery_status',
] -%}
{%- set text_columns = source_text_columns('o2o', 'delivery_orders', default=content_columns) %}

with

source as (

    select * from {{ landing_source('o2o', 'delivery_orders') }}

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
        nullif(trim(delivery_id), '') as delivery_id,
        nullif(trim(store_id), '') as store_id,
        upper(trim(source_platform)) as source_platform,
        nullif(trim(source_order_id), '') as source_order_id,
        {{ to_yuan('order_amount') }} as order_amount,
        {{ shanghai_local_to_utc('ordered_at') }} as ordered_at,
        {{ shanghai_local_to_utc('promised_at') }} as promised_at,
        {{ shanghai_local_to_utc('delivered_at') }} as delivered_at,
        upper(trim(delivery_status)) as delivery_status,
        cast(cast(ordered_at as {{ dbt.type_timestamp() }}) as date) as business_date,
        substring(filename, {{ dbt.position("'o2o/delivery_orders/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when delivery_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(source_platform, '') not in ('MINIPROGRAM', 'MEITUAN', 'ELEME') then 'invalid_code'
            when coalesce(delivery_status, '') not in ('DELIVERED', 'CANCELLED') then 'invalid_code'
            when ordered_at is null or promised_at is null or _extracted_at is null then 'invalid_timestamp'
            -- a delivered order has a delivery time, a cancelled one has none
            when (delivery_status = 'DELIVERED') <> (delivered_at is not null) then 'invalid_timestamp'
            when {{ is_implausibly_early('ordered_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('ordered_at') }} then 'future_timestamp'
            when order_amount is null then 'invalid_amount'
            when {{ is_implausible_amount(['order_amount']) }} then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['delivery_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['delivery_id'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        delivery_id,
        store_id,
        source_platform,
        source_order_id,
        order_amount,
        ordered_at,
        promised_at,
        delivered_at,
        delivery_status,
        delivered_at > promised_at as is_late,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from quarantined

)

select * from final
