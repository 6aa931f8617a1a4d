{#-
    Every landed mini-program order line, typed and checked. Lines carry no time stamp: their business date
    is the landing partition `dt`, which for fact tables is the order's business date (Asia/Shanghai).
    Quarantine checks, in order: missing_key (also a line_no beyond the integer type), invalid_code,
    future_timestamp (extract after the run), invalid_quantity (beyond the integer type), invalid_amount,
    negative_amount_on_sale, invalid_quantity (negative), implausible_amount, duplicate_row.
    missing_value right after missing_key: sku_id NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['order_id', 'line_no'],
) }}

{%- set content_columns = [
    'order_id', 'line_no', 'sku_id', 'category_code', 'quantity', 'unit_price_fen', 'paid_fen',
] -%}
{%- set text_columns = source_text_columns('miniprogram', 'order_lines', default=content_columns) %}

with

source as (

    select * from {{ landing_source('miniprogram', 'order_lines') }}

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
        nullif(trim(order_id), '') as order_id,
        {{ try_cast_or_null('line_no', dbt.type_int()) }} as line_no,
        nullif(trim(sku_id), '') as sku_id,
        upper(trim(category_code)) as category_code,
        {{ try_cast_or_null('quantity', dbt.type_int()) }} as quantity,
        quantity is not null as _has_raw_quantity,
        {{ fen_to_yuan('unit_price_fen') }} as unit_price_amount,
        {{ fen_to_yuan('paid_fen') }} as paid_amount,
        cast(dt as date) as business_date,
        substring(filename, {{ dbt.position("'miniprogram/order_lines/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when order_id is null or line_no is null then 'missing_key'
            when sku_id is null then 'missing_value'
            when _text_issue is not null then _text_issue
            when category_code is null
                or category_code not in (
                    'FRESH', 'GROCERY', 'DAIRY', 'BEVERAGE', 'BEAUTY',
                    'APPAREL', 'HOME', 'ELECTRONICS', 'BABY', 'SNACKS'
                )
                then 'invalid_code'
            when {{ is_after_run_time('_extracted_at') }} then 'future_timestamp'
            -- beyond the integer type (an unsigned 64-bit value above 2^63): never a failed cast
            when _has_raw_quantity and quantity is null then 'invalid_quantity'
            when quantity is null or unit_price_amount is null or paid_amount is null then 'invalid_amount'
            when paid_amount < 0 then 'negative_amount_on_sale'
            -- a paid line sells at least one unit: a negative quantity is a sign error, 0 a keying error
            when quantity < 1 then 'invalid_quantity'
            when {{ is_implausible_amount(['unit_price_amount', 'paid_amount']) }} then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['order_id', 'line_no']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['order_id', 'line_no']) }}

),

final as (

    select
        order_id,
        line_no,
        sku_id,
        category_code,
        quantity,
        unit_price_amount,
        paid_amount,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from quarantined

)

select * from final
