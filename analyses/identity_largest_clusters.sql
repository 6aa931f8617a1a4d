-- The largest identity clusters and what they are made of: the first place to look when a guard threshold
-- warns (an over-merge shows up as one member with many cards or phones).
with

resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

),

per_member as (

    select
        member_id,
        count(*) as identifiers,
        sum(case when identifier_type = 'card_no' then 1 else 0 end) as cards,
        sum(case when identifier_type = 'phone' then 1 else 0 end) as phones,
        sum(case when identifier_type = 'openid' then 1 else 0 end) as openids,
        sum(case when identifier_type = 'unionid' then 1 else 0 end) as unionids,
        sum(case when identifier_type = 'buyer_key' then 1 else 0 end) as buyer_keys,
        sum(case when identifier_type = 'external_userid' then 1 else 0 end) as external_userids
    from resolved
    where member_id is not null
    group by member_id

),

final as (

    select * from per_member

)

select * from final
order by identifiers desc, member_id asc
limit 50
