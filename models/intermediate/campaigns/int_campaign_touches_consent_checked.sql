-- One row per campaign and touched card: the CRM consent for the campaign's channel that governed the card at
-- send time (its member's, over all their cards, as int_card_consent_historized defines it), and whether the
-- send broke it. Violations are kept and flagged, never filtered, so that the marts can count them (see the
-- singular test tests/campaigns/assert_no_touch_without_consent.sql).
with

touches as (

    select * from {{ ref('int_campaign_touches_pivoted') }}

),

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}

),

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current

),

channel_consent as (

    select * from {{ ref('campaign_channel_consent') }}

),

consent_spans as (

    select * from {{ ref('int_card_consent_historized') }}

),

touched as (

    select
        touches.campaign_id,
        touches.card_no,
        touches.member_id,
        touches.sent_at,
        touches.is_reached,
        campaigns.channel as campaign_channel,
        channel_consent.consent_channel,
        audiences.card_no is not null as is_in_audience,
        coalesce(audiences.is_holdout, false) as is_holdout
    from touches
    left join campaigns
        on touches.campaign_id = campaigns.campaign_id
    left join channel_consent
        on campaigns.channel = channel_consent.campaign_channel
    left join audiences
        on touches.campaign_id = audiences.campaign_id
            and touches.card_no = audiences.card_no

),

final as (

    select
        touched.campaign_id,
        touched.card_no,
        touched.member_id,
        touched.campaign_channel,
        touched.consent_channel,
        touched.sent_at,
        touched.is_reached,
        touched.is_in_audience,
        touched.is_holdout,
        case
            when touched.consent_channel is null then 'NOT_APPLICABLE'
            when consent_spans.consent_status is null then 'NO_RECORD'
            else consent_spans.consent_status
        end as consent_status_at_send,
        consent_spans.valid_from_at as consent_changed_at,
        coalesce(consent_spans.consent_status = 'OPT_OUT', false) as is_consent_violation,
        not touched.is_in_audience as is_outside_audience,
        touched.is_holdout as is_holdout_contaminated
    from touched
    -- the span in force at the send: the latest statement at or before it
    left join consent_spans
        on touched.card_no = consent_spans.card_no
            and touched.consent_channel = consent_spans.consent_channel
            and touched.sent_at >= consent_spans.valid_from_at
            and (touched.sent_at < consent_spans.valid_to_at or consent_spans.valid_to_at is null)

)

select * from final
