{#-
    Every landed till ticket, typed and checked (CSV: every column arrives as text). A fact without versions:
    exact re-sends are quarantined as duplicate_row; should a ticket_id arrive again with other content, the
    latest extract wins and the older content is quarantined as superseded_version.
    Amounts keep the till's sign: refunds are negative, so sales and refunds add up to net revenue.
    Quarantine checks, in order: missing_key, encoding_damage, oversize_value, invalid_code, invalid_timestamp
    (including a till time before 2000), future_timestamp (also: till time or extract after the run),
    invalid_amount, implausible_amount (seed quality_plausibility_limits), negative_amount_on_sale,
    refund_without_original, duplicate_row, superseded_version.
    Erasure: a ticket carrying an erased card or phone is kept with card_no and member_phone nulled
    (anonymised), so store sales stay right.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['ticket_id'],
) }}

{%- set content_columns = [
    'ticket_id', 'store_id', 'till_no', 'cashier_id', 'transaction_type', 'original_ticket_id',
    'transaction_time', 'card_no', 'member_phone', 'gross_amount_fen', 'discount_amount_fen',
    'net_amount_fen', 'coupon_code', 'payment_method',
] -%}
{%- set text_columns = source_text_columns('pos', 'transactions', default=content_columns) %}

with

source as (

    select * from {{ landing_source(
        'pos', 'transactions', erasure_identifiers={'card_no': 'card_no', 'phone': 'phone'}
    ) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'card_no', 'columns': ['card_no'], 'value': clean_identifier('card_no')},
            {'type': 'phone', 'columns': ['member_phone'], 'value': normalize_cn_mobile('member_phone')},
        ],
        action='anonymise',
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
        nullif(trim(ticket_id), '') as ticket_id,
        nullif(trim(store_id), '') as store_id,
        nullif(trim(till_no), '') as till_no,
        nullif(trim(cashier_id), '') as cashier_id,
        upper(trim(transaction_type)) as transaction_type,
        nullif(trim(original_ticket_id), '') as original_ticket_id,
        {{ safe_to_timestamp('transaction_time') }} as _transaction_local_time,
        {{ clean_identifier('card_no') }} as card_no,
        {{ normalize_cn_mobile('member_phone') }} as phone,
        {{ cn_mobile_issue('member_phone') }} as phone_issue,
        {{ fen_to_yuan('gross_amount_fen') }} as gross_amount,
        {{ fen_to_yuan('discount_amount_fen') }} as discount_amount,
        {{ fen_to_yuan('net_amount_fen') }} as net_amount,
        nullif(trim(coupon_code), '') as coupon_code,
        upper(trim(payment_method)) as payment_method,
        -- landed text of the parsed columns, kept so a quarantined row shows what failed to parse
        nullif(trim(transaction_time), '') as _raw_transaction_time,
        nullif(trim(gross_amount_fen), '') as _raw_gross_amount_fen,
        nullif(trim(discount_amount_fen), '') as _raw_discount_amount_fen,
        nullif(trim(net_amount_fen), '') as _raw_net_amount_fen,
        nullif(trim(extracted_at), '') as _raw_extracted_at,
        substring(filename, {{ dbt.position("'pos/transactions/'", 'filename') }}) as _source_file,
        {{ safe_to_timestamp('extracted_at') }} as _extracted_at,
        _row_fingerprint,
        _text_issue,
        _erasure_action
    from fingerprinted

),

converted as (

    select
        *,
        {{ shanghai_local_to_utc('_transaction_local_time') }} as transacted_at,
        cast(_transaction_local_time as date) as business_date
    from renamed

),

checked as (

    select
        *,
        case
            when ticket_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(transaction_type, '') not in ('SALE', 'REFUND') then 'invalid_code'
            when coalesce(payment_method, '') not in ('CASH', 'WECHAT_PAY', 'ALIPAY', 'CARD')
                then 'invalid_code'
            when transacted_at is null or _extracted_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('transacted_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('transacted_at') }} then 'future_timestamp'
            -- the paid amount is required; gross and discount may be absent but must be numbers if present
            when net_amount is null then 'invalid_amount'
            when _raw_gross_amount_fen is not null and gross_amount is null then 'invalid_amount'
            when _raw_discount_amount_fen is not null and discount_amount is null then 'invalid_amount'
            when {{ is_implausible_amount(['gross_amount', 'discount_amount', 'net_amount']) }}
                then 'implausible_amount'
            when transaction_type = 'SALE' and net_amount < 0 then 'negative_amount_on_sale'
            when transaction_type = 'REFUND' and original_ticket_id is null then 'refund_without_original'
        end as _row_issue
    from converted

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['ticket_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['ticket_id'], latest_version_by=['_extracted_at']) }}

),

final as (

    select
        ticket_id,
        store_id,
        till_no,
        cashier_id,
        transaction_type,
        transaction_type = 'REFUND' as is_refund,
        original_ticket_id,
        transacted_at,
        business_date,
        card_no,
        phone,
        phone_issue,
        gross_amount,
        discount_amount,
        net_amount,
        coupon_code,
        payment_method,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason,
        -- landed text only where a row-level check failed (NULL otherwise, to keep the table small)
        case when _row_issue is not null then _raw_transaction_time end as _raw_transaction_time,
        case when _row_issue is not null then _raw_gross_amount_fen end as _raw_gross_amount_fen,
        case when _row_issue is not null then _raw_discount_amount_fen end as _raw_discount_amount_fen,
        case when _row_issue is not null then _raw_net_amount_fen end as _raw_net_amount_fen,
        case when _row_issue is not null then _raw_extracted_at end as _raw_extracted_at
    from quarantined

)

select * from final
