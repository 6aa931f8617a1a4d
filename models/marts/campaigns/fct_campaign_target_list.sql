-- The send list of every campaign, built by the warehouse: one row per campaign and audience recipient (a
-- member, over all of their audience cards; a card that belongs to no member is a recipient of its own), with
-- the consent that governed the recipient on the campaign's channel at the send (for a send still to come:
-- at the planned send, and never before the last statement loaded) and whether they may be contacted.
-- Excluded recipients stay in the list with the reason, so the audience reconciles and operators see who was
-- dropped and why. Consent rules: int_card_consent_historized (docs/data_protection.md, "Consent").
with

audiences as (

    select * from {{ ref('int_campaign_audiences_resolved') }}

),

touches as (

    select * from {{ ref('int_campaign_touches_pivoted') }}

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

-- how far the consent history the warehouse holds reaches: a list used for a send still to come must be
-- judged on every statement loaded, not on the state at a planned time already past
consent_loaded as (

    select max(valid_from_at) as consent_loaded_through_at
    from consent_spans

),

audience_cards as (

    select
        audiences.campaign_id,
        audiences.card_no,
        audiences.member_id,
        coalesce(
            audiences.member_id,
            -- the pseudonym form of fct_consumer_aipl_monthly.consumer_id for ids outside the graph
            'U' || substr({{ keyed_hash("'card_no:' || audiences.card_no") }}, 1, 20)
        ) as recipient_id,
        audiences.is_holdout,
        audiences.assigned_at,
        -- the first touch row of any status: when the message left, even if its SENT row was lost
        touches.first_touched_at as sent_at
    from audiences
    left join touches
        on audiences.campaign_id = touches.campaign_id
            and audiences.card_no = touches.card_no

),

-- several audience cards of one member make one recipient: held out if any card is (the holdout must stay
-- untouched), sent at the first send to any of them
recipients as (

    select
        campaign_id,
        recipient_id,
        member_id,
        -- every card of a member carries the member's consent spans: any one of them gives the member's consent
        min(card_no) as lookup_card_no,
        cast(count(*) as {{ dbt.type_int() }}) as audience_card_count,
        max(case when is_holdout then 1 else 0 end) = 1 as is_holdout,
        min(assigned_at) as assigned_at,
        min(sent_at) as first_sent_at
    from audience_cards
    group by
        campaign_id,
        recipient_id,
        member_id

),

planned as (

    select
        recipients.*,
        campaigns.channel as campaign_channel,
        channel_consent.consent_channel,
        -- the campaign's first day at 00:00 Asia/Shanghai, or the assignment when the recipient joined the
        -- audience later (acquisition campaigns)
        case
            when recipients.assigned_at > {{ shanghai_local_to_utc('campaigns.start_date') }}
                then recipients.assigned_at
            else {{ shanghai_local_to_utc('campaigns.start_date') }}
        end as planned_send_at
    from recipients
    inner join campaigns
        on recipients.campaign_id = campaigns.campaign_id
    left join channel_consent
        on campaigns.channel = channel_consent.campaign_channel

),

timed as (

    select
        planned.campaign_id,
        planned.recipient_id,
        planned.member_id,
        planned.lookup_card_no,
        planned.campaign_channel,
        planned.consent_channel,
        planned.audience_card_count,
        planned.is_holdout,
        planned.assigned_at,
        planned.first_sent_at is not null as is_sent,
        case
            when planned.first_sent_at is not null then planned.first_sent_at
            when planned.planned_send_at >= coalesce(consent_loaded.consent_loaded_through_at, planned.planned_send_at)
                then planned.planned_send_at
            else consent_loaded.consent_loaded_through_at
        end as targeted_at,
        case
            when planned.first_sent_at is not null then 'first_send'
            when planned.planned_send_at >= coalesce(consent_loaded.consent_loaded_through_at, planned.planned_send_at)
                then 'planned_send'
            else 'latest_statement_loaded'
        end as targeted_at_basis
    from planned
    cross join consent_loaded

),

consent_checked as (

    select
        timed.*,
        case
            when timed.consent_channel is null then 'NOT_APPLICABLE'
            else coalesce(at_send.consent_status, 'NO_RECORD')
        end as consent_status_at_send,
        at_send.valid_from_at as consent_stated_at,
        case
            when timed.consent_channel is null then 'NOT_APPLICABLE'
            else coalesce(at_assignment.consent_status, 'NO_RECORD')
        end as consent_status_at_assignment
    from timed
    -- the span in force at a moment: the latest statement at or before it
    left join consent_spans as at_send
        on timed.lookup_card_no = at_send.card_no
            and timed.consent_channel = at_send.consent_channel
            and timed.targeted_at >= at_send.valid_from_at
            and (timed.targeted_at < at_send.valid_to_at or at_send.valid_to_at is null)
    left join consent_spans as at_assignment
        on timed.lookup_card_no = at_assignment.card_no
            and timed.consent_channel = at_assignment.consent_channel
            and timed.assigned_at >= at_assignment.valid_from_at
            and (timed.assigned_at < at_assignment.valid_to_at or at_assignment.valid_to_at is null)

),

reasoned as (

    select
        *,
        -- the first reason that applies; NULL = targetable. Holdout before consent: the consent reasons then
        -- name exactly the people the campaign meant to reach and may not
        case
            when member_id is null then 'not_a_member'
            when is_holdout then 'holdout'
            when consent_status_at_send = 'OPT_OUT' then 'opted_out_at_send'
            when consent_status_at_send = 'NO_RECORD' then 'no_consent_record'
        end as exclusion_reason
    from consent_checked

),

final as (

    select
        campaign_id,
        recipient_id,
        member_id,
        campaign_channel,
        consent_channel,
        audience_card_count,
        is_holdout,
        assigned_at,
        is_sent,
        targeted_at,
        targeted_at_basis,
        consent_status_at_assignment,
        consent_status_at_send,
        consent_stated_at,
        exclusion_reason is null as is_targetable,
        exclusion_reason
    from reasoned

)

select * from final
