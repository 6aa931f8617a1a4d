{#-
    Every landed campaign audience assignment (a member put in a campaign's audience, either targeted or held
    out), typed and checked. Quarantine checks, in order: missing_key, invalid_code (is_holdout must be true
    or false), invalid_timestamp, future_timestamp, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
    Erasure: a row carrying an identifier on the erasure list is reduced to an `erased` tombstone.
-#}

{%- set content_columns = ['campaign_id', 'card_no', 'is_holdout', 'assigned_at'] -%}
{%- set text_columns = source_text_columns('marketing', 'audiences', default=content_columns) %}

with

source as (

    select * from {{ source('marketing', 'audiences') }}

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
        nullif(trim(campaign_id), '') as campaign_id,
        {{ clean_identifier('card_no') }} as card_no,
        cast(is_holdout as boolean) as is_holdout,
        {{ shanghai_local_to_utc('assigned_at') }} as assigned_at,
        substring(filename, {{ dbt.position("'marketing/audiences/'", 'filename') }}) as _source_file,
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
            when campaign_id is null or card_no is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when is_holdout is null then 'invalid_code'
            when assigned_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('assigned_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('assigned_at') }} then 'future_timestamp'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['campaign_id', 'card_no']) }}

),

final as (

    select
        campaign_id,
        card_no,
        is_holdout,
        assigned_at,
        cast({{ utc_to_shanghai_local('assigned_at') }} as date) as business_date,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _erasure_action,
        _quarantine_reason
    from quarantined

)

select * from final
