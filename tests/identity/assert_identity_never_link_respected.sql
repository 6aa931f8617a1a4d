{#-
    Identifiers an operator declared never to be linked (seed identity_never_link) do not end up in one member,
    not even through a detour. A row means the rule removed the direct link but another path still joins them:
    add a more specific rule (never_link on the detour, or a blocklist entry).
-#}

with

never_links as (

    select * from {{ ref('identity_never_link') }}

),

resolved as (

    select * from {{ ref('int_identifiers_resolved') }}

)

select
    never_links.left_type,
    never_links.left_value,
    never_links.right_type,
    never_links.right_value,
    left_side.member_id
from never_links
inner join resolved as left_side
    on never_links.left_type = left_side.identifier_type
        and never_links.left_value = left_side.identifier_value
inner join resolved as right_side
    on never_links.right_type = right_side.identifier_type
        and never_links.right_value = right_side.identifier_value
where left_side.member_id = right_side.member_id
