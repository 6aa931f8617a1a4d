{#-
    Registry of member ids: the id given to each anchor identifier, persisted so that ids survive a rotation of
    OMNI_HASH_KEY (a new id would otherwise be derived from every anchor, and erasure lists, CRM exports and
    BI bookmarks would all point at nobody). int_identity_clusters reads this table as the previous run left it
    (not through ref(): this model is built after it) and uses the registered id of a component's anchor before
    deriving a new one. Each run appends the anchors it has not seen before. The anchor is stored as its keyed
    pseudonym only; `python -m omniwh.warehouse_rekey` re-hashes them under the new key during a rotation
    (docs/data_protection.md, "Rotating the hash key"). Never rebuilt: full_refresh is false. Erasure: the
    pre-hook deletes the rows of a person whose identifiers the erasure list removes in this run.
-#}
{{ config(
    materialized='incremental',
    incremental_strategy='append',
    full_refresh=false,
    on_schema_change='fail',
    pre_hook="{{ member_id_registry_erasure_purge() }}"
) }}
-- depends_on: {{ ref('erasure_requests') }}
-- depends_on: {{ ref('int_identifiers_guarded') }}

with

clusters as (

    select * from {{ ref('int_identity_clusters') }}

),

anchors as (

    select distinct
        {{ keyed_hash("anchor_identifier_type || ':' || anchor_identifier_value") }} as anchor_hash,
        member_id
    from clusters

),

final as (

    select
        anchors.anchor_hash,
        anchors.member_id,
        {{ identity_run_started_at() }} as registered_at,
        '{{ invocation_id }}' as run_id
    from anchors
    {% if is_incremental() %}
        where not exists (
            select 1 from {{ this }} as registered
            where registered.anchor_hash = anchors.anchor_hash
        )
    {% endif %}

)

select * from final
