{#-
    Size of the largest member (identifiers in one connected component). A runaway cluster is the signature of
    an over-merge through a hub identifier that no guard caught (a store card, a new placeholder phone).
-#}
{{ config(
    fail_calc='coalesce(max(identifier_count), 0)',
    warn_if='>' ~ var('identity_max_cluster_size_warn'),
    error_if='>' ~ var('identity_max_cluster_size_error')
) }}

select
    member_id,
    identifier_count
from {{ ref('int_members_stitched') }}
