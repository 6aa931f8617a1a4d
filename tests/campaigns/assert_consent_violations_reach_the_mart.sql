-- Consent violations are exposed, never lost: per campaign, the mart's consent_violation_count equals the
-- number of flagged sends in int_campaign_touches_consent_checked.
with

flagged as (

    select
        campaign_id,
        count(*) as violation_count
    from {{ ref('int_campaign_touches_consent_checked') }}
    where is_consent_violation
    group by campaign_id

),

final as (

    select
        mart.campaign_id,
        mart.consent_violation_count,
        coalesce(flagged.violation_count, 0) as flagged_violation_count
    from {{ ref('fct_campaign_performance') }} as mart
    left join flagged
        on mart.campaign_id = flagged.campaign_id
    where mart.consent_violation_count <> coalesce(flagged.violation_count, 0)

)

select * from final
