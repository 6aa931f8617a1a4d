{#-
    Member ids. Each connected component is one member; its id is a keyed hash of the component's ANCHOR
    identifier: the identifier first loaded (earliest first_loaded_on, the UTC date of its first extract),
    ties broken by identifier type priority (seed identity_type_priority), then by value. A rebuild on the same
    data picks the same anchors, hence the same ids; unrelated new data never changes an anchor (later loads
    only add later dates); when two members merge, the older anchor wins, so the older member keeps its id.
    An anchor that already had an id keeps it: the registry int_member_ids_registered (as the previous run left
    it; it is built after this model) is read first, so a rotation of OMNI_HASH_KEY keeps every id.
    Incremental (issue 18): a daily run re-derives the member of the components whose node set changed since
    the previous run (the old and the new component_key of every identifier that moved, joined or left, read
    from this table's component_key against int_identity_components) and deletes the rows of identifiers that
    left the graph; every other identifier keeps its row. A change of the seed identity_type_priority needs
    `--full-refresh`. A table built before component_key existed gets the column (append_new_columns) and is
    re-derived in full by its first incremental run.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='node_key',
    tombstone_column='member_id',
    on_schema_change='append_new_columns'
) }}
{%- set previous_component_key = 'component_key' %}
{#- a table built before component_key existed: read NULL, so that every component is re-derived once -#}
{%- if is_incremental() and execute and this is not none and this is not string %}
    {%- set previous_columns = adapter.get_columns_in_relation(this) | map(attribute='name') | map('lower') | list %}
    {%- if previous_columns and 'component_key' not in previous_columns %}
        {%- set previous_component_key = 'cast(null as ' ~ dbt.type_bigint() ~ ')' %}
    {%- endif %}
{%- endif %}
{%- set registry = none %}
{#- a unit test has no `this` relation: no registry, ids derived as on a first run -#}
{%- if this is not none and this is not string %}
    {%- set registry = adapter.get_relation(
        database=this.database, schema=this.schema, identifier='int_member_ids_registered'
    ) %}
{%- endif %}

with

guarded as (

    select * from {{ ref('int_identifiers_guarded') }}
    where not is_quarantined

),

all_components as (

    select * from {{ ref('int_identity_components') }}

),

{% if is_incremental() %}
    previous as (

        select
            node_key,
            {{ previous_component_key }} as component_key
        from {{ this }}

    ),

    -- identifiers whose component changed, that joined the graph or left it
    moved as (

        select
            all_components.component_key as new_component_key,
            previous.component_key as old_component_key,
            coalesce(all_components.node_key, previous.node_key) as node_key,
            all_components.node_key is null as has_left
        from all_components
        full outer join previous
            on all_components.node_key = previous.node_key
        where all_components.node_key is null
            or previous.node_key is null
            -- NULL: a row written before component_key was kept (the first run after the upgrade re-derives all)
            or previous.component_key is null
            or all_components.component_key <> previous.component_key

    ),

    changed_components as (

        select new_component_key as component_key from moved  -- noqa: AM07
        where new_component_key is not null
        union
        select old_component_key as component_key from moved
        where old_component_key is not null

    ),

    components as (

        select all_components.*
        from all_components
        inner join changed_components
            on all_components.component_key = changed_components.component_key

    ),
{% else %}
    components as (

        select * from all_components

    ),
{% endif %}

type_priority as (

    select * from {{ ref('identity_type_priority') }}

),

clustered as (

    select
        guarded.identifier_type,
        guarded.identifier_value,
        guarded.node_key,
        components.component_key,
        row_number() over (
            partition by components.component_key
            order by guarded.first_loaded_on, type_priority.priority, guarded.identifier_value
        ) as anchor_rank
    from guarded
    inner join components
        on guarded.node_key = components.node_key
    inner join type_priority
        on guarded.identifier_type = type_priority.identifier_type

),

registered as (

    {% if registry is not none %}
        select
            anchor_hash,
            member_id
        from {{ registry }}
    {% else %}
        -- the first run: no registry yet
        select
            cast(null as {{ dbt.type_string() }}) as anchor_hash,
            cast(null as {{ dbt.type_string() }}) as member_id
        where 1 = 0
    {% endif %}

),

anchor_hashes as (

    select
        component_key,
        identifier_type as anchor_identifier_type,
        identifier_value as anchor_identifier_value,
        {{ keyed_hash("identifier_type || ':' || identifier_value") }} as anchor_hash
    from clustered
    where anchor_rank = 1

),

anchors as (

    select
        anchor_hashes.component_key,
        anchor_hashes.anchor_identifier_type,
        anchor_hashes.anchor_identifier_value,
        coalesce(registered.member_id, 'M' || substring(anchor_hashes.anchor_hash, 1, 20)) as member_id
    from anchor_hashes
    left join registered
        on anchor_hashes.anchor_hash = registered.anchor_hash

),

final as (

    select
        clustered.identifier_type,
        clustered.identifier_value,
        clustered.node_key,
        anchors.member_id,
        clustered.anchor_rank = 1 as is_anchor,
        anchors.anchor_identifier_type,
        anchors.anchor_identifier_value,
        clustered.component_key
    from clustered
    inner join anchors
        on clustered.component_key = anchors.component_key

)

{%- if is_incremental() %}
    ,

    -- every identifier of a changed component, and a tombstone for each that left the graph
    replaced_keys as (

        select node_key from components  -- noqa: AM07
        union all
        select node_key from moved
        where has_left

    )

    {{ rows_with_tombstones('final', 'replaced_keys', 'node_key') }}
{%- else %}

    select * from final
{%- endif %}
