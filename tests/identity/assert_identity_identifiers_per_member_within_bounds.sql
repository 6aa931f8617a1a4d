{#-
    Average identifiers per member, in hundredths (dbt counts failures as integers; the thresholds are vars in identifiers). A person holds a card, a phone or two, an openid, a unionid, a WeCom id
    and a buyer account per platform; an average drifting up means members are swallowing each other.
-#}
{{ config(
    fail_calc='cast(round(coalesce(100.0 * avg(identifier_count), 0)) as bigint)',
    warn_if='>' ~ (var('identity_avg_identifiers_per_member_warn') * 100) | int,
    error_if='>' ~ (var('identity_avg_identifiers_per_member_error') * 100) | int
) }}

select
    member_id,
    identifier_count
from {{ ref('int_members_stitched') }}
