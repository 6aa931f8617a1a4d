-- Marketing consent: no campaign message may go to a card, or to a member through any of their cards, that
-- had opted out of the campaign's channel when it was sent (consent history as of the send, recomputed from
-- stg_crm__consent_events in macros/privacy/privacy_scan_consent.sql). Holdout and out-of-audience touches
-- count too: every message needs consent. Returns the offending sends.
-- Severity warn, not error: the sends are historical facts of the SOURCE marketing system, which the
-- warehouse can expose but not undo. The demo data contains them (the acquisition campaign's welcome
-- coupons to members who declined mini-program messages at enrolment, and an SMS sent two days after an
-- unsubscribe). They are flagged in int_campaign_touches_consent_checked and counted per campaign in
-- fct_campaign_performance.consent_violation_count; the error-level test
-- assert_privacy_consent_violations_flagged guarantees that none escapes that list. Run with --warn-error to
-- make a new violation stop a pipeline.
{{ config(severity='warn') }}

with

consent_at_send as (

    {{ privacy_scan_consent_at_send() | indent(4) }}

),

final as (

    select
        campaign_id,
        card_no,
        member_id,
        consent_channel,
        sent_at,
        is_in_audience,
        is_holdout,
        card_consent_status_at_send,
        member_consent_status_at_send,
        is_member_statement_on_other_card
    from consent_at_send
    where is_opted_out_at_send

)

select * from final
