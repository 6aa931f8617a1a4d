-- One row per consumer, day, source system and AIPL stage of the awareness/interest signals: platform data-bank
-- events (Tmall/JD), mini-program browse events and campaign touches, mapped to A or I by seed
-- metric_aipl_signal_map (signals it does not list, such as a touch merely SENT, are left out). The consumer
-- is the member the identifier resolves to; a platform buyer or mini-program user the identity graph has not
-- stitched to a member (or whose identifier it quarantined) is a consumer of its own, under a pseudonymous id
-- `U` + 20 hex characters of the keyed hash of `<type>:<value>`. Campaign touches of cards that resolve to no
-- member (test and staff cards) are not consumers and are left out.
with

platform_events as (

    select * from {{ ref('stg_behaviour__platform_events') }}

),

miniprogram_events as (

    select * from {{ ref('stg_miniprogram__events') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}

),

signal_map as (

    select * from {{ ref('metric_aipl_signal_map') }}

),

signals as (

    select
        'behaviour' as source_system,
        event_type as signal_type,
        'buyer_key' as identifier_type,
        buyer_key as identifier_value,
        business_date
    from platform_events

    union all

    select
        'miniprogram' as source_system,
        event_type as signal_type,
        'openid' as identifier_type,
        openid as identifier_value,
        business_date
    from miniprogram_events

    union all

    select
        'marketing' as source_system,
        touch_status as signal_type,
        'card_no' as identifier_type,
        card_no as identifier_value,
        business_date
    from touches

),

mapped as (

    select
        signals.source_system,
        signals.identifier_type,
        signals.identifier_value,
        signals.business_date,
        signal_map.aipl_stage_code,
        identifiers.member_id
    from signals
    inner join signal_map
        on signals.source_system = signal_map.source_system
            and signals.signal_type = signal_map.signal_type
    left join identifiers
        on signals.identifier_type = identifiers.identifier_type
            and signals.identifier_value = identifiers.identifier_value
    where signals.identifier_value is not null

),

consumers as (

    select
        coalesce(
            member_id,
            'U' || substr({{ keyed_hash("identifier_type || ':' || identifier_value") }}, 1, 20)
        ) as consumer_id,
        case
            when member_id is not null then 'member'
            else 'unstitched_' || identifier_type
        end as consumer_kind,
        member_id,
        source_system,
        business_date,
        aipl_stage_code
    from mapped
    where member_id is not null
        or identifier_type in ('buyer_key', 'openid')

),

final as (

    select
        consumer_id,
        consumer_kind,
        member_id,
        business_date,
        source_system,
        aipl_stage_code,
        count(*) as signal_count
    from consumers
    group by consumer_id, consumer_kind, member_id, business_date, source_system, aipl_stage_code

)

select * from final
