-- Members who must never receive an activation message (grain: member_id, only members with a reason): a
-- member holding an identifier on the erasure list, or one the identity guards flagged as a staff or test
-- person's. Who is staff or test is decided once, by the guards (int_identity_guard_decisions: staff phone,
-- test or staff card, and every identifier linked to them, followed across identifier types), exactly as
-- int_orders_membership_flagged reads it; no second rule from CRM flags or the staff master here. The guards
-- quarantine those identifiers, so a staff or test person normally forms no member at all; this check keeps
-- one out of the list should a flagged identifier still resolve to a member. Erased people's records are
-- already dropped in staging; the erasure check keeps a person out even while a rebuild that drops them is
-- still pending. First reason in this order wins: erased, test_account, staff_account.
with

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null

),

erasure_requests as (

    select * from {{ ref('erasure_requests') }}

),

reasons as (

    select
        member_id,
        case when guard_reason = 'test_account' then 'test_account' else 'staff_account' end as exclusion_reason
    from identifiers
    -- the guards' staff reasons (staff_phone, staff_account, staff_or_test_identity) and the test card
    where guard_reason like 'staff%'
        or guard_reason = 'test_account'

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
