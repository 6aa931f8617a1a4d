-- keyed_hash() on seeds/macro_fixtures/hash_cases.csv. The digests depend on the secret key, so this checks
-- what must hold under any key; pytests/test_duckdb_plugin.py checks exact HMAC-SHA256 values under a known
-- key through dbt. One row per violated property.
with

cases as (

    select
        case_name,
        {{ decode_fixture_text('input') }} as input
    from {{ ref('hash_cases') }}

),

hashed as (

    select
        case_name,
        input,
        {{ keyed_hash('input') }} as digest,
        -- a different expression with the same value, so the engine cannot reuse the first call's result
        {{ keyed_hash("input || ''") }} as digest_again,
        sha256(input) as unkeyed_sha256
    from cases

),

collisions as (

    select digest
    from hashed
    where digest is not null
    group by digest
    having count(*) > 1

),

violations as (

    select
        case_name,
        'null_not_preserved' as violation
    from hashed
    where (input is null) <> (digest is null)

    union all

    select
        case_name,
        'not_64_lowercase_hex' as violation
    from hashed
    where input is not null and not regexp_full_match(digest, '[0-9a-f]{64}')

    union all

    select
        case_name,
        'not_deterministic' as violation
    from hashed
    where digest is distinct from digest_again

    union all

    select
        case_name,
        'equals_unkeyed_sha256' as violation
    from hashed
    where digest = unkeyed_sha256

    union all

    select
        hashed.case_name,
        'collision' as violation
    from hashed
    inner join collisions on hashed.digest = collisions.digest

),

final as (

    select * from violations

)

select * from final
