{#-
    Every landed mini-program order row, typed and checked. A fact with versions: only the latest version of
    each order_id is usable; older versions are quarantined as superseded_version, exact re-sends as
    duplicate_row. Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp,
    future_timestamp (created_at or updated_at after the extract, or after the run), negative_amount_on_sale,
    implausible_amount, duplicate_row, superseded_version (amounts are integer fen in Parquet: one too large
    for decimal(18, 2) is NULL and missing_value).
    missing_value right after missing_key: openid (unless the buyer was erased), total or paid amount NULL.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is kept with its personal columns nulled.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['order_id'],
) }}

{%- set content_columns = [
    'order_id', 'openid', 'store_id', 'fulfilment_type', 'order_status', 'created_at', 'paid_at',
    'total_fen', 'discount_fen', 'paid_fen', 'refund_fen', 'coupon_code', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('miniprogram', 'orders', default=content_columns) %}

with

source as (

    select * from {{ landing_source('miniprogram', 'orders', erasure_identifiers={'openid': 'openid'}) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'openid', 'columns': ['openid'], 'value': clean_identifier('openid')},
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
        nullif(trim(order_id), '') as order_id,
        {{ clean_identifier('openid') }} as openid,
        nullif(trim(store_id), '') as store_id,
        upper(trim(fulfilment_type)) as fulfilment_type,
        upper(trim(order_status)) as order_status,
        {{ epoch_ms_to_utc('created_at') }} as created_at,
        {{ epoch_ms_to_utc('paid_at') }} as paid_at,
        {{ fen_to_yuan('total_fen') }} as total_amount,
        {{ fen_to_yuan('discount_fen') }} as discount_amount,
        {{ fen_to_yuan('paid_fen') }} as paid_amount,
        {{ fen_to_yuan('refund_fen') }} as refund_amount,
        nullif(trim(coupon_code), '') as coupon_code,
        {{ epoch_ms_to_utc('updated_at') }} as updated_at,
        substring(filename, {{ dbt.position("'miniprogram/orders/'", 'filename') }}) as _source_file,
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
            when order_id is null then 'missing_key'
            -- an anonymised (erased) buyer is the one legitimate NULL openid
            when (openid is null and _erasure_action is null) or total_amount is null or paid_amount is null
                then 'missing_value'
            when _text_issue is not null then _text_issue
            when fulfilment_type is null
                or fulfilment_type not in ('DELIVERY', 'PICKUP', 'EXPRESS')
                then 'invalid_code'
            when order_status is null
                or order_status not in ('PAID', 'COMPLETED', 'REFUNDED', 'CANCELLED')
                then 'invalid_code'
            when created_at is null or updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('created_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('created_at') }} then 'future_timestamp'
            -- a version stamped after its extract or the run must never supersede a real one
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
            when paid_amount < 0 then 'negative_amount_on_sale'
            when refund_amount < 0 or refund_amount > paid_amount then 'invalid_amount'
            when {{ is_implausible_amount(['total_amount', 'discount_amount', 'paid_amount', 'refund_amount']) }}
                then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['order_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates('landed', ['order_id'], latest_version_by=['updated_at', '_extracted_at']) }}

),

final as (

    select
        order_id,
        openid,
        store_id,
        fulfilment_type,
        order_status,
        created_at,
        paid_at,
        total_amount,
        discount_amount,
        paid_amount,
        refund_amount,
        coupon_code,
        updated_at,
        cast({{ utc_to_shanghai_local('created_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
