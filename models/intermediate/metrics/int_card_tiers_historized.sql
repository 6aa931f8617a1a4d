-- Loyalty tier history per CRM card as validity spans of Asia/Shanghai dates, so that metrics can ask "which
-- tier did the member hold on day D" (dim_members only knows the tier now). A card holds, from its
-- enrolment, the `from_tier` of its first tier change (its current tier when it never changed), then the
-- `to_tier` of each change from the change's date, until the card is cancelled. Cards of test/staff
-- accounts and other quarantined cards belong to no member and are left out.
with

crm_members as (

    select * from {{ ref('stg_crm__members') }}

),

tier_changes as (

    select * from {{ ref('stg_crm__tier_changes') }}

),

card_members as (

    select * from {{ ref('int_identifiers_resolved') }}
    where identifier_type = 'card_no'
        and member_id is not null

),

tiers as (

    select * from {{ ref('member_tiers') }}

),

cards as (

    select
        crm_members.card_no,
        card_members.member_id,
        cast({{ utc_to_shanghai_local('crm_members.enrolled_at') }} as date) as enrol_date,
        crm_members.tier_code as current_tier_code
    from crm_members
    inner join card_members
        on crm_members.card_no = card_members.identifier_value
    where crm_members.is_current

),

cancellations as (

    select
        card_no,
        min(cast({{ utc_to_shanghai_local('valid_from') }} as date)) as cancelled_date
    from crm_members
    where member_status = 'CANCELLED'
    group by card_no

),

changes_ordered as (

    select
        card_no,
        from_tier,
        to_tier,
        business_date as change_date,
        row_number() over (partition by card_no order by changed_at) as change_sequence,
        lead(business_date) over (partition by card_no order by changed_at) as next_change_date
    from tier_changes

),

spans as (

    -- before the first change (or for the whole life of a card that never changed)
    select
        cards.card_no,
        cards.member_id,
        coalesce(changes_ordered.from_tier, cards.current_tier_code) as tier_code,
        cards.enrol_date as valid_from_date,
        changes_ordered.change_date as valid_to_date
    from cards
    left join changes_ordered
        on cards.card_no = changes_ordered.card_no
            and changes_ordered.change_sequence = 1

    union all

    -- after each change
    select
        cards.card_no,
        cards.member_id,
        changes_ordered.to_tier as tier_code,
        changes_ordered.change_date as valid_from_date,
        changes_ordered.next_change_date as valid_to_date
    from cards
    inner join changes_ordered
        on cards.card_no = changes_ordered.card_no

),

-- cancellation closes the card's last open span and cuts any span that runs past it
cut as (

    select
        spans.card_no,
        spans.member_id,
        spans.tier_code,
        spans.valid_from_date,
        case
            when cancellations.cancelled_date is null then spans.valid_to_date
            when spans.valid_to_date is null or spans.valid_to_date > cancellations.cancelled_date
                then cancellations.cancelled_date
            else spans.valid_to_date
        end as valid_to_date
    from spans
    left join cancellations
        on spans.card_no = cancellations.card_no

),

final as (

    select
        cut.card_no,
        cut.member_id,
        cut.tier_code,
        tiers.tier_rank,
        cut.valid_from_date,
        cut.valid_to_date
    from cut
    inner join tiers
        on cut.tier_code = tiers.tier_code
    -- several changes on one day leave empty spans; a change dated before enrolment leaves a negative one
    where cut.valid_to_date is null
        or cut.valid_to_date > cut.valid_from_date

)

select * from final
