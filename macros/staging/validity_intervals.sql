{#-
    The rows of `relation` (a dimension base_ model's rows after quarantine_duplicates(), with
    `_quarantine_reason`, `updated_at`, `_extracted_at` and `_row_fingerprint`) plus the validity interval of
    each usable version of a natural key: it is valid from its own updated_at to the next version's (valid_to
    exclusive, NULL for the current version). Quarantined rows are no version: all three columns are NULL.
    Versions with the same updated_at are ordered by extract time, then fingerprint, so the result is
    deterministic.
-#}
{% macro validity_intervals(relation, key_columns) -%}
    {%- set keys = ([key_columns] if key_columns is string else key_columns) | join(', ') %}
    select
        *,
        case when _quarantine_reason is null then updated_at end as valid_from,
        case when _quarantine_reason is null then _next_updated_at end as valid_to,
        case when _quarantine_reason is null then _next_updated_at is null end as is_current
    from (
        select
            *,
            lead(updated_at) over (
                partition by _quarantine_reason is null, {{ keys }}
                order by updated_at, _extracted_at, _row_fingerprint
            ) as _next_updated_at
        from {{ relation }}
    ) as versions_ordered
{%- endmacro %}
