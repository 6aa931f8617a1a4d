-- One row per campaign and touched card: the card's CRM consent for the campaign's channel as it stood at
-- send time, and whether the send broke it. Violations are kept and flagged, never filtered, so that the
-- marts can count them (see the singular test tests/campaigns/assert_no_touch_without_consent.sql).
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

consent_events as (

    select * from {{ ref('stg_crm__consent_events') }}

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

-- Latest consent event of the card for the governing channel at or before the send.
consent_at_send as (

    select
        touched.campaign_id,
        touched.card_no,
        consent_events.consent_status,
        consent_events.changed_at,
        row_number() over (
            partition by touched.campaign_id, touched.card_no
            order by consent_events.changed_at desc, consent_events.consent_status asc
        ) as recency_rank
    from touched
    inner join consent_events
        on touched.card_no = consent_events.card_no
            and touched.consent_channel = consent_events.channel
            and touched.sent_at >= consent_events.changed_at

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
            when consent_at_send.consent_status is null then 'NO_RECORD'
            else consent_at_send.consent_status
        end as consent_status_at_send,
        consent_at_send.changed_at as consent_changed_at,
        coalesce(consent_at_send.consent_status = 'OPT_OUT', false) as is_consent_violation,
        not touched.is_in_audience as is_outside_audience,
        touched.is_holdout as is_holdout_contaminated
    from touched
    left join consent_at_send
        on touched.campaign_id = consent_at_send.campaign_id
            and touched.card_no = consent_at_send.card_no
            and consent_at_send.recency_rank = 1

)

select * from final
