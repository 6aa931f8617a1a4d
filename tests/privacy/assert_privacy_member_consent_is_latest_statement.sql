-- Target lists are built from the member 360: `dim_members.<channel>_consent_status = 'OPT_IN'` must mean
-- that the member's most recent statement for that channel, over all of their CRM cards, is an opt-in (an
-- opt-out on equal times wins; no statement at all is not consent). Recomputed here from the consent
-- history, independently of int_members_golden. Returns the members a list filtered on OPT_IN would contact
-- without consent, one row per member and channel.
with

members as (

    select * from {{ ref('dim_members') }}

),

member_cards as (

    {{ privacy_member_cards() }}

),

consent_events as (

    select * from {{ ref('stg_crm__consent_events') }}

),

statements_ranked as (

    select
        member_cards.member_id,
        consent_events.channel,
        consent_events.consent_status,
        row_number() over (
            partition by member_cards.member_id, consent_events.channel
            order by
                {{ privacy_statement_in_force_order('consent_events') | indent(16) }}
        ) as recency_rank
    from member_cards
    inner join consent_events
        on member_cards.card_no = consent_events.card_no

),

latest_statements as (

    select
        member_id,
        channel,
        consent_status
    from statements_ranked
    where recency_rank = 1

),

published as (

    select
        member_id,
        'SMS' as channel,
        sms_consent_status as published_consent_status
    from members

    union all

    select
        member_id,
        'WECOM' as channel,
        wecom_consent_status as published_consent_status
    from members

    union all

    select
        member_id,
        'MINIPROGRAM' as channel,
        miniprogram_consent_status as published_consent_status
    from members

    union all

    select
        member_id,
        'EMAIL' as channel,
        email_consent_status as published_consent_status
    from members

),

final as (

    select
        published.member_id,
        published.channel,
        published.published_consent_status,
        coalesce(latest_statements.consent_status, 'NO_RECORD') as latest_consent_status
    from published
    left join latest_statements
        on published.member_id = latest_statements.member_id
            and published.channel = latest_statements.channel
    where published.published_consent_status = 'OPT_IN'
        and coalesce(latest_statements.consent_status, 'NO_RECORD') <> 'OPT_IN'

)

select * from final
