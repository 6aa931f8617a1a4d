-- Every request on the erasure list matches someone: at least one of its identifier hashes is the erasure hash,
-- under the current OMNI_HASH_KEY, of an identifier in the landing files (_rejected/ included). A request
-- written under another key, or with a typo, would otherwise erase no one and say nothing. Attached to the
-- seed only, so in `dbt build` it runs right after the list is loaded and a failure skips every model that
-- reads the list (all base models). One row per failing request id (opaque), never an identifier.
-- The check is Python (UDF omni_erasure_hash_landed, omniwh/duckdb_plugin.py): the key never enters SQL.
-- Fix: re-key the list (omniwh erasure rekey), or remove the request and add it again from the person's
-- identifiers (omniwh erasure add, which refuses what matches no one).

with

erasure_requests as (

    select * from {{ ref('erasure_requests') }}

),

checked as (

    select
        request_id,
        omni_erasure_hash_landed(
            '{{ var("landing_path") | replace("'", "''") }}', identifier_type, identifier_hash
        ) as is_landed
    from erasure_requests

),

final as (

    select
        request_id,
        count(*) as identifier_count
    from checked
    group by request_id
    having not bool_or(is_landed)

)

select * from final
