-- Members who must never receive an activation message (grain: member_id, only members with a reason): a
-- member holding a CRM card flagged as a staff or test account, a phone of the staff master, or an identifier
-- on the erasure list. Erased people's records are already dropped in staging; this second check keeps a
-- person out even while a rebuild that drops them is still pending. First reason in this order wins:
-- erased, test_account, staff_account.
with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null

),

crm_members as (

    select * from {{ ref('stg_crm__members') }}
    where is_current

),

staff as (

    select * from {{ ref('stg_wecom__staff') }}
    where is_current

),

erasure_requests as (

    select * from {{ ref('erasure_requests') }}

),

flagged_identifiers as (

    select
        card_no as identifier_value,
        'card_no' as identifier_type,
        case when is_test_account then 'test_account' else 'staff_account' end as exclusion_reason
    from crm_members
    where is_test_account or is_staff_account

    union all

    select
        phone as identifier_value,
        'phone' as identifier_type,
        case when is_test_account then 'test_account' else 'staff_account' end as exclusion_reason
    from crm_members
    where (is_test_account or is_staff_account)
        and phone is not null

    union all

    select
        phone as identifier_value,
        'phone' as identifier_type,
        'staff_account' as exclusion_reason
    from staff
    where phone is not null

),

reasons as (

    select
        identifiers.member_id,
        flagged_identifiers.exclusion_reason
    from identifiers
    inner join flagged_identifiers
        on identifiers.identifier_type = flagged_identifiers.identifier_type
            and identifiers.identifier_value = flagged_identifiers.identifier_value

    union all

    select
        identifiers.member_id,
        'erased' as exclusion_reason
    from identifiers
    inner join erasure_requests
        on identifiers.identifier_type = erasure_requests.identifier_type
            and {{ erasure_hash('identifiers.identifier_type', 'identifiers.identifier_value') }}
            = erasure_requests.identifier_hash

),

final as (

    select
        member_id,
        case
            when max(case when exclusion_reason = 'erased' then 1 else 0 end) = 1 then 'erased'
            when max(case when exclusion_reason = 'test_account' then 1 else 0 end) = 1 then 'test_account'
            else 'staff_account'
        end as exclusion_reason
    from reasons
    group by member_id

)

select * from final
