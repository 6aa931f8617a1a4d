{#-
    Marketing consent as it stood when each campaign send went out, recomputed from the CRM consent history
    (stg_crm__consent_events) independently of the campaign models, at two levels:
    - the card the send was addressed to: its latest statement for the channel at or before the send;
    - the member holding that card: the latest statement for the channel over ALL the member's cards (the
      survivorship rule of dim_members: the most recent statement counts, whichever card it was made on).
    On equal times an opt-out wins (doubt resolves to "no"). Only channels governed by CRM consent (seed
    campaign_channel_consent; Tmall ad delivery follows the platform's own consent) are returned.
    Grain: one row per (campaign_id, card_no) that received at least one touch. Used by the singular tests in
    tests/privacy/; documented in macros/privacy/privacy_scan_macros.yml.
-#}
{% macro privacy_scan_consent_at_send() -%}

with

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

audiences as (

    select * from {{ ref('stg_marketing__audiences') }}

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

member_cards as (

    {{ privacy_member_cards() }}

),

-- the first touch row of any status is when the message left (a lost SENT row does not hide the send)
sends as (

    select
        campaign_id,
        card_no,
        min(touched_at) as sent_at
    from touches
    group by
        campaign_id,
        card_no

),

governed_sends as (

    select
        sends.campaign_id,
        sends.card_no,
        member_cards.member_id,
        campaigns.channel as campaign_channel,
        channel_consent.consent_channel,
        sends.sent_at,
        audiences.card_no is not null as is_in_audience,
        coalesce(audiences.is_holdout, false) as is_holdout
    from sends
    inner join campaigns
        on sends.campaign_id = campaigns.campaign_id
    inner join channel_consent
        on campaigns.channel = channel_consent.campaign_channel
    left join audiences
        on sends.campaign_id = audiences.campaign_id
            and sends.card_no = audiences.card_no
    left join member_cards
        on sends.card_no = member_cards.card_no
    where channel_consent.consent_channel is not null

),

card_statements as (

    select
        governed_sends.campaign_id,
        governed_sends.card_no,
        consent_events.consent_status,
        row_number() over (
            partition by governed_sends.campaign_id, governed_sends.card_no
            order by
                {{ privacy_statement_in_force_order('consent_events') | indent(16) }}
        ) as recency_rank
    from governed_sends
    inner join consent_events
        on governed_sends.card_no = consent_events.card_no
            and governed_sends.consent_channel = consent_events.channel
            and consent_events.changed_at <= governed_sends.sent_at

),

member_statements as (

    select
        governed_sends.campaign_id,
        governed_sends.card_no,
        consent_events.consent_status,
        consent_events.card_no as statement_card_no,
        row_number() over (
            partition by governed_sends.campaign_id, governed_sends.card_no
            order by
                {{ privacy_statement_in_force_order('consent_events') | indent(16) }},
                consent_events.card_no asc
        ) as recency_rank
    from governed_sends
    inner join member_cards as sibling_cards
        on governed_sends.member_id = sibling_cards.member_id
    inner join consent_events
        on sibling_cards.card_no = consent_events.card_no
            and governed_sends.consent_channel = consent_events.channel
            and consent_events.changed_at <= governed_sends.sent_at

),

final as (

    select
        governed_sends.campaign_id,
        governed_sends.card_no,
        governed_sends.member_id,
        governed_sends.campaign_channel,
        governed_sends.consent_channel,
        governed_sends.sent_at,
        governed_sends.is_in_audience,
        governed_sends.is_holdout,
        coalesce(card_statements.consent_status, 'NO_RECORD') as card_consent_status_at_send,
        -- a card outside the identity graph (quarantined) is its own member
        coalesce(member_statements.consent_status, card_statements.consent_status, 'NO_RECORD')
            as member_consent_status_at_send,
        member_statements.statement_card_no <> governed_sends.card_no as is_member_statement_on_other_card,
        coalesce(
            card_statements.consent_status = 'OPT_OUT' or member_statements.consent_status = 'OPT_OUT',
            false
        ) as is_opted_out_at_send
    from governed_sends
    left join card_statements
        on governed_sends.campaign_id = card_statements.campaign_id
            and governed_sends.card_no = card_statements.card_no
            and card_statements.recency_rank = 1
    left join member_statements
        on governed_sends.campaign_id = member_statements.campaign_id
            and governed_sends.card_no = member_statements.card_no
            and member_statements.recency_rank = 1

)

select * from final

{%- endmacro %}
