-- Marketing consent (PIPL art. 13-14, 24; Advertising Law art. 43): the send lists the warehouse builds
-- (fct_campaign_target_list) never make a recipient targetable unless an OPT_IN was in force on the campaign's
-- consent channel when the campaign was sent to them. Recomputed here from the CRM consent history
-- (stg_crm__consent_events) and the card -> member mapping, independently of int_card_consent_historized:
-- the latest statement at or before the moment, over all the member's cards, an opt-out winning a tie, no
-- statement = no consent. The moment is recomputed too, so a list judged at the wrong time fails: the first
-- touch to any of the member's audience cards in the touch log; for a member not sent to, the latest of the
-- campaign's first day (00:00 Asia/Shanghai), the member's assignment and the last consent statement loaded
-- (a send still to come happens after all of them). Also fails for a targetable non-member, holdout member or
-- campaign without a channel rule.
-- Severity error (the default): unlike the source system's sends, this list is the warehouse's own output.
-- Returns the offending rows.
with

target_list as (

    select * from {{ ref('fct_campaign_target_list') }}
    where is_targetable

),

campaigns as (

    select * from {{ ref('stg_marketing__campaigns') }}
    where is_current

),

channel_consent as (

    select * from {{ ref('campaign_channel_consent') }}

),

audiences as (

    select * from {{ ref('stg_marketing__audiences') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

consent_events as (

    select * from {{ ref('stg_crm__consent_events') }}

),

member_cards as (

    {{ privacy_member_cards() }}

),

consent_loaded as (

    select max(changed_at) as last_changed_at
    from consent_events

),

member_audience as (

    select
        audiences.campaign_id,
        member_cards.member_id,
        max(case when audiences.is_holdout then 1 else 0 end) = 1 as is_held_out,
        min(audiences.assigned_at) as assigned_at,
        min(touches.touched_at) as first_touched_at
    from audiences
    inner join member_cards
        on audiences.card_no = member_cards.card_no
    left join touches
        on audiences.campaign_id = touches.campaign_id
            and audiences.card_no = touches.card_no
    group by
        audiences.campaign_id,
        member_cards.member_id

),

checked as (

    select
        target_list.campaign_id,
        target_list.recipient_id,
        target_list.member_id,
        target_list.targeted_at,
        campaigns.channel as campaign_channel,
        channel_consent.campaign_channel is not null as has_channel_rule,
        channel_consent.consent_channel,
        coalesce(member_audience.is_held_out, false) as is_held_out,
        coalesce(
            member_audience.first_touched_at,
            greatest(
                {{ shanghai_local_to_utc('campaigns.start_date') }},
                member_audience.assigned_at,
                consent_loaded.last_changed_at
            )
        ) as check_at
    from target_list
    cross join consent_loaded
    left join campaigns
        on target_list.campaign_id = campaigns.campaign_id
    left join channel_consent
        on campaigns.channel = channel_consent.campaign_channel
    left join member_audience
        on target_list.campaign_id = member_audience.campaign_id
            and target_list.member_id = member_audience.member_id

),

statements_ranked as (

    select
        checked.campaign_id,
        checked.recipient_id,
        consent_events.consent_status,
        row_number() over (
            partition by checked.campaign_id, checked.recipient_id
            order by
                {{ privacy_statement_in_force_order('consent_events') | indent(16) }}
        ) as recency_rank
    from checked
    inner join member_cards
        on checked.member_id = member_cards.member_id
    inner join consent_events
        on member_cards.card_no = consent_events.card_no
            and checked.consent_channel = consent_events.channel
            and checked.check_at >= consent_events.changed_at

),

final as (

    select
        checked.campaign_id,
        checked.recipient_id,
        checked.campaign_channel,
        checked.consent_channel,
        checked.targeted_at,
        checked.check_at,
        checked.is_held_out,
        case
            when checked.consent_channel is null then 'NOT_APPLICABLE'
            else coalesce(statements_ranked.consent_status, 'NO_RECORD')
        end as consent_status_in_force
    from checked
    left join statements_ranked
        on checked.campaign_id = statements_ranked.campaign_id
            and checked.recipient_id = statements_ranked.recipient_id
            and statements_ranked.recency_rank = 1
    where checked.member_id is null
        or checked.is_held_out
        or not checked.has_channel_rule
        or (
            checked.consent_channel is not null
            and coalesce(statements_ranked.consent_status, 'NO_RECORD') <> 'OPT_IN'
        )

)

select * from final
