{#-
    Every landed Tmall/JD order line, typed and checked. Lines are not versioned: exact re-sends are
    quarantined as duplicate_row; should a line arrive again with other content, the latest extract wins and
    the older content is quarantined as superseded_version. A line has no time of its own; its business
    date is the landing partition `dt`, the order's created date in Asia/Shanghai (docs/landing_contract.md).
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp (extract
    after the run), invalid_quantity (beyond the integer type), invalid_amount, negative_amount_on_sale,
    invalid_quantity (negative), implausible_amount; then
    duplicate_row, superseded_version.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['platform', 'order_id', 'line_id'],
) }}

{%- set content_columns = [
    'platform', 'order_id', 'line_id', 'sku_id', 'category_code', 'quantity', 'unit_price',
    'payment_amount', 'refund_amount',
] -%}
{%- set text_columns = source_text_columns('ecommerce', 'order_lines', default=content_columns) %}

with

source as (

    select * from {{ landing_source('ecommerce', 'order_lines') }}

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
        upper(trim(platform)) as platform,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(line_id), '') as line_id,
        nullif(trim(sku_id), '') as sku_id,
        upper(trim(category_code)) as category_code,
        {{ try_cast_or_null('quantity', dbt.type_int()) }} as quantity,
        quantity is not null as _has_raw_quantity,
        {{ to_yuan('unit_price') }} as unit_price,
        {{ to_yuan('payment_amount') }} as payment_amount,
        {{ to_yuan('refund_amount') }} as refund_amount,
        refund_amount is not null as _has_raw_refund_amount,
        cast(dt as date) as business_date,
        substring(filename, {{ dbt.position("'ecommerce/order_lines/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when platform is null or order_id is null or line_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when platform not in ('TMALL', 'JD') then 'invalid_code'
            when coalesce(category_code, '') not in (
                    'FRESH', 'GROCERY', 'DAIRY', 'BEVERAGE', 'BEAUTY',
                    'APPAREL', 'HOME', 'ELECTRONICS', 'BABY', 'SNACKS'
                ) then 'invalid_code'
            when _extracted_at is null then 'invalid_timestamp'
            when {{ is_after_run_time('_extracted_at') }} then 'future_timestamp'
            -- beyond the integer type (an unsigned 64-bit value above 2^63): never a failed cast
            when _has_raw_quantity and quantity is null then 'invalid_quantity'
            when quantity is null or unit_price is null or payment_amount is null then 'invalid_amount'
            when _has_raw_refund_amount and refund_amount is null then 'invalid_amount'
            when payment_amount < 0 then 'negative_amount_on_sale'
            -- a positive paid line with a negative quantity is a sign error, not a void
            when quantity < 0 then 'invalid_quantity'
            when {{ is_implausible_amount(['unit_price', 'payment_amount', 'refund_amount']) }}
                then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['platform', 'order_id', 'line_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['platform', 'order_id', 'line_id'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        platform,
        order_id,
        line_id,
        sku_id,
        category_code,
        quantity,
        unit_price,
        payment_amount,
        refund_amount,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from quarantined

)

select * from final
