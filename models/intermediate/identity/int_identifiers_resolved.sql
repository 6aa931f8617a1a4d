{#-
    THE identifier lookup: one row per identifier seen anywhere, with the member it belongs to (NULL when a
    guard quarantined it). Built after int_member_ids_ledger, which reads this table's previous state to
    detect merges and splits; the depends_on line below makes dbt order them so.
-#}
-- depends_on: {{ ref('int_member_ids_ledger') }}
-- (and after the id registry, whose erasure pre-hook reads the previous state too)
-- depends_on: {{ ref('int_member_ids_registered') }}

with

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}

),

clusters as (

    select * from {{ ref('int_identity_clusters') }}

),

final as (

    select
        guarded.identifier_type,
        guarded.identifier_value,
        clusters.member_id,
        coalesce(clusters.is_anchor, false) as is_anchor,
        guarded.first_seen_at,
        guarded.last_seen_at,
        guarded.is_quarantined,
        guarded.guard_reason
    from guarded
    left join clusters
        on guarded.identifier_type = clusters.identifier_type
            and guarded.identifier_value = clusters.identifier_value

)

select * from final
