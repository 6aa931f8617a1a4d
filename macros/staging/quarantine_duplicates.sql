{#-
    The rows of `relation` (a base_ model's rows after its own row checks, with `_row_issue`, `_row_fingerprint`,
    `_extracted_at` and `_source_file`) plus `_quarantine_reason`: the row's issue or else, decided per natural
    key over the rows without an issue,
      duplicate_row       the same content (fingerprint) as an earlier copy of the key: a re-send. The copy
                          kept is the first extract, then the first file.
      superseded_version  only when `latest_version_by` is given: the key arrived again with other content and
                          this copy is not the latest by those columns (each descending, then the fingerprint,
                          so the choice is deterministic).
      conflicting_version only when `version_at` is given (dimensions: the column their versions are ordered
                          by, updated_at): two different contents of the key claim the same version time,
                          so neither can be said to follow the other. The copy kept is the latest extract,
                          then the last file, then the largest fingerprint (deterministic); without this
                          rule both would be versions with a zero-length interval and two "current" rows.
    Dimensions pass no `latest_version_by`: every distinct version is kept and validity_intervals() orders them.
    The helper columns _copy_no (and _version_rank, _tie_rank) come along; a model's final CTE does not select
    them.
-#}
{% macro quarantine_duplicates(relation, key_columns, latest_version_by=none, version_at=none) -%}
    {%- set keys = ([key_columns] if key_columns is string else key_columns) | join(', ') -%}
    {%- set latest = [latest_version_by] if latest_version_by is string else latest_version_by -%}
    {%- set numbered -%}
        select
            *,
            row_number() over (
                partition by _row_issue is null, {{ keys }}, _row_fingerprint
                order by _extracted_at, _source_file
            ) as _copy_no
        from {{ relation }}
    {%- endset -%}
    {%- set numbered_alias = 'copies_numbered' -%}
    {%- if latest -%}
        {%- set numbered -%}
        select
            *,
            row_number() over (
                partition by _row_issue is null and _copy_no = 1, {{ keys }}
                order by {% for column in latest %}{{ column }} desc, {% endfor %}_row_fingerprint desc
            ) as _version_rank
        from (
            {{ numbered | indent(4) }}
        ) as copies_numbered
        {%- endset -%}
        {%- set numbered_alias = 'versions_ranked' -%}
    {%- endif %}
    {%- if version_at -%}
        {%- set numbered -%}
        select
            *,
            row_number() over (
                partition by _row_issue is null and _copy_no = 1, {{ keys }}, {{ version_at }}
                order by _extracted_at desc, _source_file desc, _row_fingerprint desc
            ) as _tie_rank
        from (
            {{ numbered | indent(4) }}
        ) as {{ numbered_alias }}
        {%- endset -%}
        {%- set numbered_alias = 'ties_ranked' -%}
    {%- endif %}
    select
        *,
        case
            when _row_issue is not null then _row_issue
            when _copy_no > 1 then 'duplicate_row'
            {%- if latest %}
            when _version_rank > 1 then 'superseded_version'
            {%- endif %}
            {%- if version_at %}
            when _tie_rank > 1 then 'conflicting_version'
            {%- endif %}
        end as _quarantine_reason
    from (
        {{ numbered }}
    ) as {{ numbered_alias }}
{%- endmacro %}
