-- Marketing consent as validity spans, at the grain a message is addressed to: one row per CRM card, consent
-- channel and span. The consent governing a message to a card is its member's, over ALL the member's cards
-- (the card's own statements when the card belongs to no member); in force at T is the latest statement at or
-- before T; statements at the same instant count as one, and an opt-out among them wins; before the first
-- statement there is no span (no statement is not consent). This is the one place these rules are written
-- (docs/data_protection.md, "Consent"): dim_members reads the current spans, the campaign models look up the
-- span covering a send with valid_from_at <= T < coalesce(valid_to_at, infinity).
with

consent_events as (

    select * from {{ ref('stg_crm__consent_events') }}

),

card_members as (

    select
        identifier_value as card_no,
        member_id
    from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'
        and member_id is not null

),

-- every card a message can be addressed to: member cards without a statement of their own still carry their
-- member's consent
cards as (

    select card_no from card_members

    union distinct

    select card_no from consent_events

),

card_holders as (

    select
        cards.card_no,
        card_members.member_id,
        coalesce(card_members.member_id, {{ dbt.concat(["'card:'", 'cards.card_no']) }}) as holder_key
    from cards
    left join card_members
        on cards.card_no = card_members.card_no

),

statements_ranked as (

    select
        card_holders.holder_key,
        consent_events.channel as consent_channel,
        consent_events.changed_at,
        consent_events.consent_status,
        consent_events.consent_source,
        row_number() over (
            partition by card_holders.holder_key, consent_events.channel, consent_events.changed_at
            order by
                case when consent_events.consent_status = 'OPT_OUT' then 0 else 1 end,
                consent_events.card_no asc
        ) as tie_rank
    from consent_events
    inner join card_holders
        on consent_events.card_no = card_holders.card_no

),

holder_spans as (

    select
        holder_key,
        consent_channel,
        consent_status,
        consent_source,
        changed_at as valid_from_at,
        lead(changed_at) over (
            partition by holder_key, consent_channel
            order by changed_at
        ) as valid_to_at
    from statements_ranked
    where tie_rank = 1

),

final as (

    select
        card_holders.card_no,
        card_holders.member_id,
        holder_spans.consent_channel,
        holder_spans.consent_status,
        holder_spans.consent_status = 'OPT_IN' as is_opted_in,
        holder_spans.consent_source,
        holder_spans.valid_from_at,
        holder_spans.valid_to_at,
        holder_spans.valid_to_at is null as is_current
    from card_holders
    inner join holder_spans
        on card_holders.holder_key = holder_spans.holder_key

)

select * from final
