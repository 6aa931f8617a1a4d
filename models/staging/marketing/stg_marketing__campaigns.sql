with

base as (

    select * from {{ ref('base_marketing__campaigns') }}

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
        _row_fingerprint
    from base
    where _quarantine_reason is null

)

select * from final
