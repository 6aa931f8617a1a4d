{#-
    Every landed till-ticket line, typed and checked (CSV: every column arrives as text). A fact without
    versions: exact re-sends are quarantined as duplicate_row; should a line arrive again with other content,
    the latest extract wins and the older content is quarantined as superseded_version.
    Quantities and amounts keep the till's sign: negative on refund tickets.
    A line has no time of its own; its business date is the landing partition `dt`, which for POS is the
    ticket's business date (docs/landing_contract.md).
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp (an extract
    stamped after the run), invalid_quantity (no whole number), invalid_amount, invalid_quantity (quantity
    and amount of opposite signs), implausible_amount, duplicate_row, superseded_version.
    Quantities are never rounded: '1.5' or '1e3' is invalid_quantity. A line with a negative quantity and a
    negative amount is a void or return line and is kept: it nets against the ticket's other lines.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['ticket_id', 'line_no'],
) }}

{%- set content_columns = [
    'ticket_id', 'line_no', 'sku_id', 'category_code', 'quantity', 'unit_price_fen', 'net_amount_fen',
] -%}
{%- set text_columns = source_text_columns('pos', 'transaction_lines', default=content_columns) %}

with

source as (

    select * from {{ landing_source('pos', 'transaction_lines') }}

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
        nullif(trim(ticket_id), '') as ticket_id,
        {{ text_to_whole_number('line_no', dbt.type_int()) }} as line_no,
        nullif(trim(sku_id), '') as sku_id,
        upper(trim(category_code)) as category_code,
        {{ text_to_whole_number('quantity', dbt.type_int()) }} as quantity,
        {{ fen_to_yuan('unit_price_fen') }} as unit_price,
        {{ fen_to_yuan('net_amount_fen') }} as net_amount,
        cast(dt as date) as business_date,
        -- landed text of the parsed columns, kept so a quarantined row shows what failed to parse
        nullif(trim(line_no), '') as _raw_line_no,
        nullif(trim(quantity), '') as _raw_quantity,
        nullif(trim(unit_price_fen), '') as _raw_unit_price_fen,
        nullif(trim(net_amount_fen), '') as _raw_net_amount_fen,
        nullif(trim(extracted_at), '') as _raw_extracted_at,
        substring(filename, {{ dbt.position("'pos/transaction_lines/'", 'filename') }}) as _source_file,
        {{ safe_to_timestamp('extracted_at') }} as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when ticket_id is null or line_no is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(category_code, '') not in (
                    'FRESH', 'GROCERY', 'DAIRY', 'BEVERAGE', 'BEAUTY',
                    'APPAREL', 'HOME', 'ELECTRONICS', 'BABY', 'SNACKS'
                ) then 'invalid_code'
            when _extracted_at is null then 'invalid_timestamp'
            when {{ is_after_run_time('_extracted_at') }} then 'future_timestamp'
            -- a quantity that is no whole number ('1.5', '1e3') is never rounded
            when _raw_quantity is not null and quantity is null then 'invalid_quantity'
            when quantity is null or unit_price is null or net_amount is null then 'invalid_amount'
            -- a void or return line nets within its ticket: quantity and amount carry the same sign;
            -- opposite signs are a keying error
            when quantity * net_amount < 0 then 'invalid_quantity'
            when {{ is_implausible_amount(['net_amount', 'unit_price']) }} then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['ticket_id', 'line_no']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['ticket_id', 'line_no'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        ticket_id,
        line_no,
        sku_id,
        category_code,
        quantity,
        unit_price,
        net_amount,
        business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason,
        -- landed text only where a row-level check failed (NULL otherwise, to keep the table small)
        case when _row_issue is not null then _raw_line_no end as _raw_line_no,
        case when _row_issue is not null then _raw_quantity end as _raw_quantity,
        case when _row_issue is not null then _raw_unit_price_fen end as _raw_unit_price_fen,
        case when _row_issue is not null then _raw_net_amount_fen end as _raw_net_amount_fen,
        case when _row_issue is not null then _raw_extracted_at end as _raw_extracted_at
    from quarantined

)

select * from final
