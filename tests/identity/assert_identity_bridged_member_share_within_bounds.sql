{#-
    Share of members that are bridged, in basis points (the thresholds are vars in percent) (see int_members_stitched.is_bridged): two or more accounts of one
    kind held together by at most one shared identifier. Each is a merge that one wrong identifier would make.
-#}
{{ config(
    fail_calc='cast(round(coalesce(10000.0 * sum(case when is_bridged then 1 else 0 end)'
        ~ ' / nullif(count(*), 0), 0)) as bigint)',
    warn_if='>' ~ (var('identity_bridged_member_pct_warn') * 100) | int,
    error_if='>' ~ (var('identity_bridged_member_pct_error') * 100) | int
) }}

select
    member_id,
    is_bridged
from {{ ref('int_members_stitched') }}
