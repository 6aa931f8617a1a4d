{#-
    Every landed marketing campaign row, typed and checked. A dimension: every distinct version of a
    campaign_id is kept with its validity interval (dates, cost and holdout can be edited); exact re-sends
    are quarantined as duplicate_row. Quarantine checks, in order: missing_key, invalid_code,
    invalid_timestamp, future_timestamp, invalid_amount, duplicate_row.
    Shared checks (macros/quality): encoding_damage and oversize_value right after missing_key, a main
    time before 2000 as invalid_timestamp.
-#}

{%- set content_columns = [
    'campaign_id', 'campaign_name', 'campaign_type', 'channel', 'banner_code', 'start_date', 'end_date',
    'cost', 'target_rule', 'holdout_rate', 'updated_at',
] -%}
{%- set text_columns = source_text_columns('marketing', 'campaigns', default=content_columns) %}

with

source as (

    select * from {{ source('marketing', 'campaigns') }}

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
        nullif(trim(campaign_id), '') as campaign_id,
        nullif(trim(campaign_name), '') as campaign_name,
        upper(trim(campaign_type)) as campaign_type,
        upper(trim(channel)) as channel,
        nullif(upper(trim(banner_code)), '') as banner_code,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        {{ to_yuan('cost') }} as cost_amount,
        nullif(trim(target_rule), '') as target_rule,
        cast(holdout_rate as {{ dbt.type_float() }}) as holdout_rate,
        {{ shanghai_local_to_utc('updated_at') }} as updated_at,
        cost is not null as _has_raw_cost,
        substring(filename, {{ dbt.position("'marketing/campaigns/'", 'filename') }}) as _source_file,
        cast(extracted_at as {{ dbt.type_timestamp() }}) as _extracted_at,
        _row_fingerprint,
        _text_issue
    from fingerprinted

),

checked as (

    select
        *,
        case
            when campaign_id is null then 'missing_key'
            when _text_issue is not null then _text_issue
            when coalesce(campaign_type, '') not in ('PROMOTION', 'REACTIVATION', 'ACQUISITION', 'HOLIDAY')
                then 'invalid_code'
            when coalesce(channel, '') not in ('SMS', 'WECOM', 'MINIPROGRAM', 'TMALL') then 'invalid_code'
            when banner_code not in ('DS', 'HM', 'SM', 'CV') then 'invalid_code'
            when updated_at is null then 'invalid_timestamp'
            when {{ is_implausibly_early('updated_at') }} then 'invalid_timestamp'
            when {{ is_future_timestamp('updated_at') }} then 'future_timestamp'
            when _has_raw_cost and cost_amount is null then 'invalid_amount'
            when cost_amount < 0 then 'invalid_amount'
            when holdout_rate is null or holdout_rate < 0 or holdout_rate >= 1 then 'invalid_amount'
        end as _row_issue
    from renamed

),

quarantined as (

    {{ quarantine_duplicates('checked', ['campaign_id'], version_at='updated_at') }}

),

versioned as (

    {{ validity_intervals('quarantined', ['campaign_id']) }}

),

final as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        channel,
        banner_code,
        start_date,
        end_date,
        cost_amount,
        target_rule,
        holdout_rate,
        updated_at,
        valid_from,
        valid_to,
        is_current,
        _source_file,
        _extracted_at,
        _row_fingerprint,
        _quarantine_reason
    from versioned

)

select * from final
