{#-
    Every landed Tmall/JD order row, typed and checked. A fact with versions: status changes arrive as new
    versions of (platform, order_id); only the latest is usable, older ones are quarantined as
    superseded_version, exact re-sends as duplicate_row. Times are UTC already; float yuan become
    decimal(18, 2). The masked phone is carried as masked_phone only: it is never an identifier.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    invalid_amount, negative_amount_on_sale, implausible_amount, duplicate_row, superseded_version.
    future_timestamp also when updated_at (the version time) or the extract lies after the run.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is kept with its personal columns nulled.
-#}

-- incremental, unlike the folder default (table): a daily run reads only the last loads' files and
-- deduplicates them against the rows already landed (macros/incremental/landed_rows.sql)
{{ config(
    materialized='incremental',
    incremental_strategy='replace_landed_rows',
    unique_key=['platform', 'order_id'],
) }}

{%- set content_columns = [
    'platform', 'order_id', 'shop_id', 'buyer_id', 'masked_phone', 'order_status', 'created_at', 'paid_at',
    'completed_at', 'total_amount', 'discount_amount', 'payment_amount', 'refund_amount', 'coupon_code',
    'receiver_city', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('ecommerce', 'orders', default=content_columns) %}

with

source as (

    select * from {{ landing_source('ecommerce', 'orders', erasure_identifiers={'buyer_key': 'buyer_key'}) }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'buyer_key', 'columns': ['platform', 'buyer_id'], 'value': dbt.concat(["upper(trim(platform))", "':'", clean_identifier('buyer_id')])},
        ],
        action='anonymise',
        anonymise=['buyer_id', 'masked_phone'],
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
        upper(trim(platform)) as platform,
        nullif(trim(order_id), '') as order_id,
        nullif(trim(shop_id), '') as shop_id,
        {{ clean_identifier('buyer_id') }} as buyer_id,
        nullif(trim(masked_phone), '') as masked_phone,
        upper(trim(order_status)) as order_status,
        cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
        cast(paid_at as {{ dbt.type_timestamp() }}) as paid_at,
        cast(completed_at as {{ dbt.type_timestamp() }}) as completed_at,
        {{ to_yuan('total_amount') }} as total_amount,
        {{ to_yuan('discount_amount') }} as discount_amount,
        {{ to_yuan('payment_amount') }} as payment_amount,
        {{ to_yuan('refund_amount') }} as refund_amount,
        nullif(trim(coupon_code), '') as coupon_code,
        nullif(trim(receiver_city), '') as receiver_city,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        total_amount is not null as _has_raw_total_amount,
        discount_amount is not null as _has_raw_discount_amount,
        refund_amount is not null as _has_raw_refund_amount,
        substring(filename, {{ dbt.position("'ecommerce/orders/'", 'filename') }}) as _source_file,
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
            when platform is null or order_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when platform not in ('TMALL', 'JD') then 'invalid_code'
            when coalesce(order_status, '') not in ('PAID', 'SHIPPED', 'COMPLETED', 'REFUNDED', 'CLOSED')
                then 'invalid_code'
            when created_at is null or updated_at is null or _extracted_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('created_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('created_at') }} then 'future_timestamp'
            -- a version stamped after its extract or the run must never supersede a real one
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
            -- the paid amount is required (0 for an unpaid order); the others must be numbers if present
            when payment_amount is null then 'invalid_amount'
            when _has_raw_total_amount and total_amount is null then 'invalid_amount'
            when _has_raw_discount_amount and discount_amount is null then 'invalid_amount'
            when _has_raw_refund_amount and refund_amount is null then 'invalid_amount'
            when payment_amount < 0 then 'negative_amount_on_sale'
            -- a refund is between nothing and what was paid
            when refund_amount < 0 or refund_amount > payment_amount then 'invalid_amount'
            when paid_at < created_at then 'invalid_timestamp'
            when {{ is_implausible_amount(['total_amount', 'discount_amount', 'payment_amount', 'refund_amount']) }}
                then 'implausible_amount'
        end as _row_issue
    from renamed

),

landed as (

    {% if is_incremental() %}
        {{ landed_rows_with_previous('checked', ['platform', 'order_id']) }}
    {% else %}
        select * from checked
    {% endif %}

),

quarantined as (

    {{ quarantine_duplicates(
        'landed', ['platform', 'order_id'], latest_version_by=['updated_at', '_extracted_at'],
    ) }}

),

final as (

    select
        platform,
        order_id,
        shop_id,
        buyer_id,
        {{ dbt.concat(['platform', "':'", 'buyer_id']) }} as buyer_key,
        masked_phone,
        order_status,
        created_at,
        paid_at,
        completed_at,
        cast({{ utc_to_shanghai_local('created_at') }} as date) as business_date,
        total_amount,
        discount_amount,
        payment_amount,
        refund_amount,
        coupon_code,
        receiver_city,
        updated_at,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
