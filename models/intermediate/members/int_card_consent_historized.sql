-- Marketing consent as validity spans, at the grain a message is addressed to: one row per CRM card, consent
-- channel and span. The consent governing a message to a card is its member's, over ALL the member's cards
-- (the card's own statements when the card belongs to no member); in force at T is the latest statement at or
-- before T; statements at the same instant count as one, and an opt-out among them wins; before the first
-- statement there is no span (no statement is not consent). This is the one place these rules are written
-- (docs/data_protection.md, "Consent"): dim_members reads the current spans, the campaign models look up the
-- span covering a send with valid_from_at <= T < coalesce(valid_to_at, infinity).
-- Fail-safe: a quarantined row that may be an opt-out (base_crm__consent_events._blocks_targeting: unparseable
-- or future time, unknown source, misspelt status, unknown channel) counts as an OPT_OUT statement with source
-- QUARANTINED_ROW, on its channel or on every channel when its channel is unknown, from its own valid time or
-- else its extract, until a valid later statement: damage never leaves a person targetable.
with

consent_events as (

    select * from {{ ref('stg_crm__consent_events') }}

),

-- the quarantined rows that block; the quarantine itself (reason, raw row) is listed in int_rows_quarantined
blocking_rows as (

    select
        card_no,
        _blocked_channel,
        _blocked_from_at
    from {{ ref('base_crm__consent_events') }}
    where _blocks_targeting
        and _blocked_from_at is not null

),

consent_channels as (

    select distinct channel from consent_events

),

blocking_statements as (

    select
        blocking_rows.card_no,
        consent_channels.channel,
        blocking_rows._blocked_from_at as changed_at,
        'OPT_OUT' as consent_status,
        'QUARANTINED_ROW' as consent_source
    from blocking_rows
    inner join consent_channels
        on consent_channels.channel = coalesce(blocking_rows._blocked_channel, consent_channels.channel)

),

statements as (

    select
        card_no,
        channel,
        changed_at,
        consent_status,
        consent_source
    from consent_events

    union all

    -- the same five columns, in the same order
    select * from blocking_statements

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

    select card_no from statements

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
        statements.channel as consent_channel,
        statements.changed_at,
        statements.consent_status,
        statements.consent_source,
        row_number() over (
            partition by card_holders.holder_key, statements.channel, statements.changed_at
            order by
                case when statements.consent_status = 'OPT_OUT' then 0 else 1 end,
                statements.card_no asc
        ) as tie_rank
    from statements
    inner join card_holders
        on statements.card_no = card_holders.card_no

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
