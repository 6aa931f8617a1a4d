-- Marketing consent (PIPL art. 13-14, 44; Advertising Law art. 43): every campaign send that went to a card,
-- or to a member through any of their cards, opted out of the campaign's channel at send time is flagged
-- `is_consent_violation` in int_campaign_touches_consent_checked, the queryable list of violations that
-- fct_campaign_performance.consent_violation_count counts (tests/campaigns/assert_consent_violations_reach_the_mart).
-- The consent in force is recomputed here from the CRM consent history, independently of the campaign
-- models (macros/privacy/privacy_scan_consent.sql). Returns the sends that break consent but are not flagged.
with

consent_at_send as (

    {{ privacy_scan_consent_at_send() | indent(4) }}

),

flagged as (

    select * from {{ ref('int_campaign_touches_consent_checked') }}

),

final as (

    select
        consent_at_send.campaign_id,
        consent_at_send.card_no,
        consent_at_send.consent_channel,
        consent_at_send.sent_at,
        consent_at_send.card_consent_status_at_send,
        consent_at_send.member_consent_status_at_send,
        flagged.consent_status_at_send as flagged_consent_status_at_send
    from consent_at_send
    left join flagged
        on consent_at_send.campaign_id = flagged.campaign_id
            and consent_at_send.card_no = flagged.card_no
    where consent_at_send.is_opted_out_at_send
        and not coalesce(flagged.is_consent_violation, false)

)

select * from final
