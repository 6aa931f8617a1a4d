{#-
    Right to erasure (PIPL art. 47): the erasure list (seed erasure_requests) holds keyed hashes of the
    identifiers of people who asked to be erased, never the identifiers themselves. Base models compare their
    identifiers with it and drop or anonymise the matching rows before anything else reads them, so a rebuild
    leaves no trace of the person and re-ingesting the same raw files cannot bring them back.
-#}

{#-
    Keyed hash of an identifier as stored on the erasure list: HMAC-SHA256 (keyed_hash) of
    'erasure|<identifier type>|<normalised value>'. The prefix separates it from the pseudonyms keyed_hash()
    gives the same identifier in the marts (dim_members.phone_hash), so the list cannot be joined to them.
    omniwh/erasure.py computes exactly the same digest.
-#}
{% macro erasure_hash(identifier_type, identifier_value) -%}
    {{ keyed_hash(dbt.concat(["'erasure|'", identifier_type, "'|'", identifier_value])) }}
{%- endmacro %}


{#-
    The rows of `relation` (a CTE of raw landed rows) with the identifiers of erased people removed, plus
    `_erasure_action`: 'dropped', 'anonymised' or NULL.

    columns      the raw columns to carry on (content columns, extracted_at, filename); others are left out.
    identifiers  list of {type, columns, value}: an identifier type of the erasure list, the raw columns it is
                 made of, and the SQL (over those raw columns) that normalises it the way staging does.
    action       'drop': a matching row keeps no content (every column NULL except `keep`, the load metadata
                 extracted_at and filename); the base model turns it into an `erased` tombstone that only
                 int_rows_erased counts;
                 'anonymise': only the columns in `anonymise` become NULL (default: the identifier columns),
                 the rest of the row (amounts, store, times) stays, so sales still add up.
    The keyed hash is computed once per DISTINCT raw value (never per row); the CTE is read twice, which DuckDB
    materialises once.
-#}
{% macro erasure_flagged(relation, columns, identifiers, action, anonymise=none, keep=['extracted_at', 'filename']) -%}
    {%- if action not in ['drop', 'anonymise'] -%}
        {{ exceptions.raise_compiler_error("erasure_flagged: action must be 'drop' or 'anonymise'") }}
    {%- endif -%}
    {%- set identifier_columns = [] -%}
    {%- for identifier in identifiers -%}
        {%- for column in identifier.columns -%}
            {%- if column not in identifier_columns -%}{%- do identifier_columns.append(column) -%}{%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- set nulled = [] -%}
    {%- if action == 'drop' -%}
        {%- for column in columns if column not in keep -%}{%- do nulled.append(column) -%}{%- endfor -%}
    {%- else -%}
        {%- do nulled.extend(anonymise if anonymise is not none else identifier_columns) -%}
    {%- endif -%}
    {%- set matched = [] -%}
    {%- for identifier in identifiers -%}
        {%- do matched.append('erased_' ~ loop.index ~ '.' ~ identifier.columns[0] ~ ' is not null') -%}
    {%- endfor -%}
    {%- set is_erased = '(' ~ matched | join(' or ') ~ ')' %}
    select
        {% for column in columns -%}
            {%- if column in nulled -%}
        case when not {{ is_erased }} then {{ relation }}.{{ column }} end as {{ column }},
            {%- else -%}
        {{ relation }}.{{ column }},
            {%- endif %}
        {% endfor -%}
        case when {{ is_erased }} then '{{ "dropped" if action == "drop" else "anonymised" }}' end as _erasure_action
    from {{ relation }}
    {%- for identifier in identifiers %}
    {%- set erased_alias = 'erased_' ~ loop.index %}
    left join (
        select distinct
            {%- for column in identifier.columns %}
            candidates.{{ column }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        from (
            select
                {{ identifier.columns | join(', ') }},
                {{ identifier.value }} as identifier_value
            from (
                select distinct {{ identifier.columns | join(', ') }}
                from {{ relation }}
                where {{ identifier.columns | join(' is not null and ') }} is not null
            ) as distinct_values
        ) as candidates
        inner join {{ ref('erasure_requests') }} as erasure_requests
            on erasure_requests.identifier_type = '{{ identifier.type }}'
            and erasure_requests.identifier_hash
            = {{ erasure_hash("'" ~ identifier.type ~ "'", 'candidates.identifier_value') }}
    ) as {{ erased_alias }}
        on
        {%- for column in identifier.columns %}
            {{ relation }}.{{ column }} = {{ erased_alias }}.{{ column }}{% if not loop.last %} and{% endif %}
        {%- endfor %}
    {%- endfor %}
{%- endmacro %}


{#-
    The people an erasure applies to in this run, as SQL selecting (member_id, identifier_hash, anchor_hash):
    identifiers that are still in the previous run's int_identifiers_resolved (built after the ledger and the
    registry) and no longer in this run's int_identifiers_guarded, and that the erasure list names. member_id is
    the id the previous run gave them (whatever key it was derived under), identifier_hash the keyed pseudonym
    of the value (the ledger's via_identifier_hash) and anchor_hash that of '<type>:<value>' (the registry's key).
    Only vanished identifiers are hashed, so the usual daily run hashes next to nothing. none when there is no
    previous resolution (the first run).
-#}
{% macro erased_in_this_run() -%}
    {%- set previous = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_identifiers_resolved'
    ) -%}
    {%- if previous is none -%}{{ return(none) }}{%- endif -%}
    {%- set sql -%}
        select
            vanished.member_id,
            {{ keyed_hash('vanished.identifier_value') }} as identifier_hash,
            {{ keyed_hash("vanished.identifier_type || ':' || vanished.identifier_value") }} as anchor_hash
        from (
            select distinct
                previous.identifier_type,
                previous.identifier_value,
                previous.member_id
            from {{ previous }} as previous
            where not exists (
                select 1 from {{ ref('int_identifiers_guarded') }} as current_identifiers
                where current_identifiers.identifier_type = previous.identifier_type
                    and current_identifiers.identifier_value = previous.identifier_value
            )
        ) as vanished
        inner join {{ ref('erasure_requests') }} as erasure_requests
            on erasure_requests.identifier_type = vanished.identifier_type
            and erasure_requests.identifier_hash
            = {{ erasure_hash('vanished.identifier_type', 'vanished.identifier_value') }}
    {%- endset -%}
    {{ return(sql) }}
{%- endmacro %}


{#-
    Pre-hook of int_member_ids_ledger (incremental, never rebuilt): delete the ledger rows of erased people.
    The ledger keeps member ids and the keyed hash of the identifier that caused each merge or split:
    pseudonyms, still personal data, and nothing else would ever remove them. Rows naming a member id of an
    identifier erased in this run (macro erased_in_this_run; retired or surviving) or such an identifier as
    their via identifier are deleted whole: the other member id of such a row is mostly the same person's
    (merges join one person's records) and the ledger is an audit aid, erasure wins.
    Nothing on the first run (no ledger, no previous resolution).
-#}
{% macro member_ids_ledger_erasure_purge() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set ledger = load_relation(this) -%}
    {%- set erased = erased_in_this_run() -%}
    {%- if ledger is none or erased is none -%}{{ return('') }}{%- endif %}
    delete from {{ ledger }}
    where exists (
        select 1
        from ({{ erased }}) as erased
        where {{ ledger }}.retired_member_id = erased.member_id
            or {{ ledger }}.surviving_member_id = erased.member_id
            or {{ ledger }}.via_identifier_hash = erased.identifier_hash
    )
{%- endmacro %}


{#-
    Pre-hook of int_member_ids_registered (never rebuilt): delete the registry rows of erased people, by their
    member id or by the pseudonym of an erased anchor identifier. Nothing on the first run.
-#}
{% macro member_id_registry_erasure_purge() -%}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set registry = load_relation(this) -%}
    {%- set erased = erased_in_this_run() -%}
    {%- if registry is none or erased is none -%}{{ return('') }}{%- endif %}
    delete from {{ registry }}
    where exists (
        select 1
        from ({{ erased }}) as erased
        where {{ registry }}.member_id = erased.member_id
            or {{ registry }}.anchor_hash = erased.anchor_hash
    )
{%- endmacro %}
