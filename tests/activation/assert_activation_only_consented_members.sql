-- Every row of today's activation list is a member whose latest consent statement on the row's channel is an
-- opt-in, and who holds no CRM card flagged staff or test. Recomputed from the consent spans and the CRM
-- cards directly, not from int_member_contacts_resolved. One row per offending list row.
with

activations as (

    select * from {{ ref('fct_member_activations') }}

),

latest_consent as (

    select
        member_id,
        consent_channel,
        min(case when is_opted_in then 1 else 0 end) as is_opted_in_everywhere
    from {{ ref('int_card_consent_historized') }}
    where is_current
        and member_id is not null
    group by member_id, consent_channel

),

flagged_members as (

    select distinct identifiers.member_id
    from {{ ref('int_identifiers_resolved') }} as identifiers
    inner join {{ ref('stg_crm__members') }} as cards
        on identifiers.identifier_type = 'card_no'
            and identifiers.identifier_value = cards.card_no
    where cards.is_current
        and (cards.is_staff_account or cards.is_test_account)

),

final as (

    select
        activations.activation_date,
        activations.member_id,
        activations.trigger_code,
        activations.channel,
        case
            when flagged_members.member_id is not null then 'staff_or_test_member'
            else 'no_opt_in_on_channel'
        end as failure
    from activations
    left join latest_consent
        on activations.member_id = latest_consent.member_id
            and activations.channel = latest_consent.consent_channel
    left join flagged_members
        on activations.member_id = flagged_members.member_id
    where flagged_members.member_id is not null
        or coalesce(latest_consent.is_opted_in_everywhere, 0) = 0

)

select * from final
