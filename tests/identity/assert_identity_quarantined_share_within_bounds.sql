{#-
    Share of identifiers that guards quarantined, in basis points (the thresholds are vars in percent) (the count is in int_identifiers_guarded). A jump means a
    cap or a blocklist now catches genuine identifiers, or the sources started sending junk.
-#}
{{ config(
    fail_calc='cast(round(coalesce(10000.0 * sum(case when is_quarantined then 1 else 0 end)'
        ~ ' / nullif(count(*), 0), 0)) as bigint)',
    warn_if='>' ~ (var('identity_quarantined_identifier_pct_warn') * 100) | int,
    error_if='>' ~ (var('identity_quarantined_identifier_pct_error') * 100) | int
) }}

select
    identifier_type,
    identifier_value,
    is_quarantined
from {{ ref('int_identifiers_guarded') }}
