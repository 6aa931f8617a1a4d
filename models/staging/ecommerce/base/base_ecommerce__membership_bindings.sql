{#-
    Every landed brand-membership binding row of Tmall/JD buyers, typed and checked. A dimension: every
    distinct version of (platform, buyer_id) is kept with its validity interval, because the binding links
    the buyer to a phone only while it lasts (unbinding ends it); exact re-sends are quarantined as
    duplicate_row. The phone is verified by the platform but still goes through the common normalisation.
    Quarantine checks, in order: missing_key, invalid_code, invalid_timestamp, future_timestamp,
    duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = ['platform', 'buyer_id', 'phone', 'bound_at', 'unbound_at', 'updated_at'] -%}
{%- set text_columns = source_text_columns('ecommerce', 'membership_bindings', default=content_columns) %}

with

source as (

    select * from {{ source('ecommerce', 'membership_bindings') }}

),

erasure_checked as (

    {{ erasure_flagged(
        'source',
        columns=content_columns + ['extracted_at', 'filename'],
        identifiers=[
            {'type': 'buyer_key', 'columns': ['platform', 'buyer_id'], 'value': dbt.concat(["upper(trim(platform))", "':'", clean_identifier('buyer_id')])},
            {'type': 'phone', 'columns': ['phone'], 'value': normalize_cn_mobile('phone')},
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
        upper(trim(platform)) as platform,
        {{ clean_identifier('buyer_id') }} as buyer_id,
        {{ normalize_cn_mobile('phone') }} as phone,
        {{ cn_mobile_issue('phone') }} as phone_issue,
        cast(bound_at as {{ dbt.type_timestamp() }}) as bound_at,
        cast(unbound_at as {{ dbt.type_timestamp() }}) as unbound_at,
        cast(updated_at as {{ dbt.type_timestamp() }}) as updated_at,
        substring(filename, {{ dbt.position("'ecommerce/membership_bindings/'", 'filename') }}) as _source_file,
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
            when platform is null or buyer_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when platform not in ('TMALL', 'JD') then 'invalid_code'
            when bound_at is null or updated_at is null or _extracted_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
            when unbound_at < bound_at then 'invalid_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['platform', 'buyer_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['platform', 'buyer_id']) }}

),

final as (

    select
        platform,
        buyer_id,
        {{ dbt.concat(['platform', "':'", 'buyer_id']) }} as buyer_key,
        phone,
        phone_issue,
        bound_at,
        unbound_at,
        unbound_at is null as is_bound,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from versioned

)

select * from final
