with

audiences as (

    select * from {{ ref('stg_marketing__audiences') }}

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'

),

resolved as (

    select
        audiences.campaign_id,
        audiences.card_no,
        identifiers.member_id,
        audiences.is_holdout,
        audiences.assigned_at,
        coalesce(identifiers.is_quarantined, false) as is_card_quarantined,
        identifiers.guard_reason as card_guard_reason
    from audiences
    left join identifiers
        on audiences.card_no = identifiers.identifier_value

),

-- A member can hold several cards; if the source put one card in the treated group and another in the
-- holdout of the same campaign, the member cannot serve as a clean control or a clean treated unit.
member_assignment as (

    select
        campaign_id,
        member_id,
        count(distinct is_holdout) > 1 as has_conflicting_assignment,
        count(*) as member_card_count
    from resolved
    where member_id is not null
    group by campaign_id, member_id

),

final as (

    select
        resolved.campaign_id,
        resolved.card_no,
        resolved.member_id,
        resolved.is_holdout,
        case when resolved.is_holdout then 'holdout' else 'treated' end as audience_group,
        resolved.assigned_at,
        resolved.is_card_quarantined,
        resolved.card_guard_reason,
        resolved.member_id is not null as is_member_resolved,
        coalesce(member_assignment.has_conflicting_assignment, false) as has_conflicting_assignment,
        coalesce(member_assignment.member_card_count, 0) as member_card_count
    from resolved
    left join member_assignment
        on resolved.campaign_id = member_assignment.campaign_id
            and resolved.member_id = member_assignment.member_id

)

select * from final
