-- When each member could be reached online in the brand's private domain (在线化), as validity spans of
-- Asia/Shanghai dates: the dated form of dim_members.is_online_reachable (core__is_online_reachable), so
-- that monthly metrics can ask "was the member reachable on day D". Two ways in:
--   wecom        a WeCom friendship with a store guide, from the day it was added until it was deleted or
--                the guide left (staff role as in the current staff master, like the core definition);
--   miniprogram  a mini-program user who authorised the phone number, from the day of the authorisation.
-- The span id is the keyed hash of the friendship or the user: an unkeyed hash of an openid or
-- external_userid could be recomputed by anyone holding the clear identifier.
with

wecom_contacts as (

    select * from {{ ref('stg_wecom__external_contacts') }}
    where is_current

),

wecom_staff as (

    select * from {{ ref('stg_wecom__staff') }}
    where is_current

),

miniprogram_users as (

    select * from {{ ref('stg_miniprogram__users') }}
    where is_current

),

identifiers as (

    select * from {{ ref('int_identifiers_resolved') }}
    where member_id is not null
        and identifier_type in ('external_userid', 'openid')

),

wecom_spans as (

    select
        {{ keyed_hash("'wecom:' || wecom_contacts.external_userid || ':' || wecom_contacts.staff_id") }}
            as reach_span_id,
        identifiers.member_id,
        'wecom' as reach_channel,
        cast({{ utc_to_shanghai_local('wecom_contacts.added_at') }} as date) as reachable_from_date,
        case
            when wecom_contacts.deleted_at is null then wecom_staff.left_on
            when wecom_staff.left_on is null
                then cast({{ utc_to_shanghai_local('wecom_contacts.deleted_at') }} as date)
            when wecom_staff.left_on < cast({{ utc_to_shanghai_local('wecom_contacts.deleted_at') }} as date)
                then wecom_staff.left_on
            else cast({{ utc_to_shanghai_local('wecom_contacts.deleted_at') }} as date)
        end as reachable_to_date
    from wecom_contacts
    inner join wecom_staff
        on wecom_contacts.staff_id = wecom_staff.staff_id
    inner join identifiers
        on identifiers.identifier_type = 'external_userid'
            and wecom_contacts.external_userid = identifiers.identifier_value
    where wecom_staff.role = 'GUIDE'
        and wecom_contacts.added_at is not null

),

miniprogram_spans as (

    select
        {{ keyed_hash("'miniprogram:' || miniprogram_users.openid") }} as reach_span_id,
        identifiers.member_id,
        'miniprogram' as reach_channel,
        cast({{ utc_to_shanghai_local('miniprogram_users.phone_authorised_at') }} as date)
            as reachable_from_date,
        cast(null as date) as reachable_to_date
    from miniprogram_users
    inner join identifiers
        on identifiers.identifier_type = 'openid'
            and miniprogram_users.openid = identifiers.identifier_value
    where miniprogram_users.phone_authorised_at is not null

),

unioned as (

    select * from wecom_spans
    union all
    select * from miniprogram_spans

),

final as (

    select
        reach_span_id,
        member_id,
        reach_channel,
        reachable_from_date,
        reachable_to_date
    from unioned
    -- a friendship deleted on the day it was added never made the member reachable at a day's end
    where reachable_to_date is null
        or reachable_to_date > reachable_from_date

)

select * from final
