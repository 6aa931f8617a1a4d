-- Who may be contacted today and how (grain: member_id): every member with a purchase or a card, with the
-- consent on each contact channel in force at the run instant, whether the member can technically be reached
-- there, the responsible WeCom guide and store, and the reason a member must never be contacted (staff,
-- test, erased). Consent rules: int_card_consent_historized (docs/data_protection.md, "Consent"). The masked
-- phone and the keyed phone hash are computed here from the golden record for the activation export only.
{%- set run_at = var('activation_run_at', none) or run_started_at.strftime('%Y-%m-%d %H:%M:%S') %}
with

members as (

    select * from {{ ref('int_members_golden') }}

),

member_orders as (

    select * from {{ ref('int_member_orders_aggregated') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null

),

consent_spans as (

    select * from {{ ref('int_card_consent_historized') }}
    where member_id is not null

),

guides as (

    select * from {{ ref('int_member_guides_assigned') }}

),

excluded as (

    select * from {{ ref('int_member_contact_exclusions_flagged') }}

),

-- consent in force at the run instant on each channel. Fail safe twice over: the statement in force at the
-- run AND the latest statement loaded must both be OPT_IN (a statement stamped after the run, e.g. by a
-- skewed clock, can only take consent away)
consent_at_run as (

    select
        member_id,
        consent_channel,
        max(
            case
                when valid_from_at <= cast('{{ run_at }}' as timestamp)
                    and (valid_to_at > cast('{{ run_at }}' as timestamp) or valid_to_at is null)
                    then {{ dbt.cast('is_opted_in', dbt.type_int()) }}
            end
        ) = 1
        and min(case when is_current then {{ dbt.cast('is_opted_in', dbt.type_int()) }} end) = 1
            as is_consented
    from consent_spans
    group by member_id, consent_channel

),

consent_pivoted as (

    select
        member_id,
        coalesce(max(case when consent_channel = 'WECOM' and is_consented then 1 end), 0) = 1
            as has_wecom_consent,
        coalesce(max(case when consent_channel = 'SMS' and is_consented then 1 end), 0) = 1
            as has_sms_consent,
        coalesce(max(case when consent_channel = 'MINIPROGRAM' and is_consented then 1 end), 0) = 1
            as has_miniprogram_consent
    from consent_at_run
    group by member_id

),

openids as (

    select distinct member_id
    from identifiers
    where identifier_type = 'openid'

),

final as (

    select
        members.member_id,
        cast('{{ run_at }}' as timestamp) as consent_checked_at,
        {{ mask_cn_mobile('members.phone') }} as masked_phone,
        {{ keyed_hash('members.phone') }} as phone_hash,
        coalesce(consent_pivoted.has_wecom_consent, false) as has_wecom_consent,
        coalesce(consent_pivoted.has_sms_consent, false) as has_sms_consent,
        coalesce(consent_pivoted.has_miniprogram_consent, false) as has_miniprogram_consent,
        guides.staff_id is not null as has_wecom_guide,
        members.phone is not null as has_mobile_number,
        openids.member_id is not null as has_miniprogram_openid,
        guides.staff_id as guide_staff_id,
        coalesce(guides.store_id, member_orders.preferred_store_id, members.enrol_store_id) as store_id,
        case
            when guides.store_id is not null then 'guide_store'
            when member_orders.preferred_store_id is not null then 'preferred_store'
            when members.enrol_store_id is not null then 'enrol_store'
        end as store_source,
        excluded.exclusion_reason
    from members
    left join member_orders
        on members.member_id = member_orders.member_id
    left join consent_pivoted
        on members.member_id = consent_pivoted.member_id
    left join guides
        on members.member_id = guides.member_id
    left join openids
        on members.member_id = openids.member_id
    left join excluded
        on members.member_id = excluded.member_id

)

select * from final
