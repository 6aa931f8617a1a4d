{#-
    One row per member of the identity graph (one connected component of non-quarantined identifiers): its
    anchor, how many identifiers of each type it holds, how many links hold it together, and whether it is
    "bridged": it joins two or more accounts of one kind (CRM cards, mini-program openids, or buyer accounts of
    one platform) that share at most one identifier directly, so one identifier (typically a phone) is all
    that holds the merge together. The graph-quality tests in tests/identity/ read this model.
-#}

with

clusters as (

    select * from {{ ref('int_identity_clusters') }}

),

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}

),

edges as (

    select * from {{ ref('int_identity_graph_edges') }}

),

members_seen as (

    select
        clusters.member_id,
        min(guarded.first_seen_at) as first_seen_at,
        max(guarded.last_seen_at) as last_seen_at
    from clusters
    inner join guarded
        on clusters.node_key = guarded.node_key
    group by clusters.member_id

),

member_identifiers as (

    select
        member_id,
        max(anchor_identifier_type) as anchor_identifier_type,
        max(anchor_identifier_value) as anchor_identifier_value,
        count(*) as identifier_count,
        sum(case when identifier_type = 'card_no' then 1 else 0 end) as card_no_count,
        sum(case when identifier_type = 'phone' then 1 else 0 end) as phone_count,
        sum(case when identifier_type = 'openid' then 1 else 0 end) as openid_count,
        sum(case when identifier_type = 'unionid' then 1 else 0 end) as unionid_count,
        sum(case when identifier_type = 'buyer_key' then 1 else 0 end) as buyer_key_count,
        sum(case when identifier_type = 'external_userid' then 1 else 0 end) as external_userid_count
    from clusters
    group by member_id

),

member_edges as (

    select
        low_end.member_id,
        count(*) as link_count
    from edges
    inner join clusters as low_end
        on edges.node_key_low = low_end.node_key
    group by low_end.member_id

),

-- accounts a person normally holds once; buyer accounts are counted per platform
accounts as (

    select
        node_key,
        member_id,
        case
            when identifier_type = 'buyer_key'
                then 'buyer_key:' || {{ dbt.split_part('identifier_value', "':'", 1) }}
            else identifier_type
        end as account_kind
    from clusters
    where identifier_type in ('card_no', 'openid', 'buyer_key')

),

multi_account_kinds as (

    select
        member_id,
        account_kind
    from accounts
    group by member_id, account_kind
    having count(*) >= 2

),

edges_both_ways as (

    select
        node_key_low as node_key,
        node_key_high as neighbour_node_key
    from edges
    union all
    select
        node_key_high as node_key,
        node_key_low as neighbour_node_key
    from edges

),

account_neighbours as (

    select
        accounts.member_id,
        accounts.account_kind,
        accounts.node_key as account_node_key,
        edges_both_ways.neighbour_node_key
    from accounts
    inner join multi_account_kinds
        on accounts.member_id = multi_account_kinds.member_id
            and accounts.account_kind = multi_account_kinds.account_kind
    inner join edges_both_ways
        on accounts.node_key = edges_both_ways.node_key

),

-- identifiers adjacent to two or more accounts of one kind: the glue between those accounts
glue as (

    select
        member_id,
        account_kind,
        neighbour_node_key
    from account_neighbours
    group by member_id, account_kind, neighbour_node_key
    having count(distinct account_node_key) >= 2

),

glue_counts as (

    select
        member_id,
        account_kind,
        count(*) as glue_count
    from glue
    group by member_id, account_kind

),

bridged as (

    select
        multi_account_kinds.member_id,
        max(case when glue_counts.glue_count is null or glue_counts.glue_count <= 1 then 1 else 0 end)
            as is_bridged_flag
    from multi_account_kinds
    left join glue_counts
        on multi_account_kinds.member_id = glue_counts.member_id
            and multi_account_kinds.account_kind = glue_counts.account_kind
    group by multi_account_kinds.member_id

),

final as (

    select
        member_identifiers.member_id,
        member_identifiers.anchor_identifier_type,
        member_identifiers.anchor_identifier_value,
        member_identifiers.identifier_count,
        member_identifiers.card_no_count,
        member_identifiers.phone_count,
        member_identifiers.openid_count,
        member_identifiers.unionid_count,
        member_identifiers.buyer_key_count,
        member_identifiers.external_userid_count,
        coalesce(member_edges.link_count, 0) as link_count,
        bridged.member_id is not null as is_multi_account,
        coalesce(bridged.is_bridged_flag = 1, false) as is_bridged,
        members_seen.first_seen_at,
        members_seen.last_seen_at
    from member_identifiers
    inner join members_seen
        on member_identifiers.member_id = members_seen.member_id
    left join member_edges
        on member_identifiers.member_id = member_edges.member_id
    left join bridged
        on member_identifiers.member_id = bridged.member_id

)

select * from final
