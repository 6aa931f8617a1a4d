-- The store guide responsible for each member (grain: member_id): the guide of the member's most recently
-- added WeCom friendship that is still in place (not deleted, friend still active) with a guide still
-- employed (staff role as in the current staff master), and the guide's store.
with

contacts as (

    select * from {{ ref('stg_wecom__external_contacts') }}
    where is_current
        and deleted_at is null
        and is_active_friend

),

staff as (

    select * from {{ ref('stg_wecom__staff') }}
    where is_current
        and role = 'GUIDE'
        and left_on is null

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null
        and identifier_type = 'external_userid'

),

ranked as (

    select
        identifiers.member_id,
        staff.staff_id,
        staff.store_id,
        contacts.added_at,
        row_number() over (
            partition by identifiers.member_id
            order by contacts.added_at desc, staff.staff_id asc
        ) as guide_rank
    from contacts
    inner join staff
        on contacts.staff_id = staff.staff_id
    inner join identifiers
        on contacts.external_userid = identifiers.identifier_value

),

final as (

    select
        member_id,
        staff_id,
        store_id,
        added_at as guide_added_at
    from ranked
    where guide_rank = 1

)

select * from final
