{#-
    Findings of the landing preflight (omniwh.landing_check) on landing files, one row per (file, check).
    The manifest only exists once the preflight has run on this landing area; without it this view is empty
    instead of failing the build (dbt can be run without the preflight, e.g. by tests on a scratch landing).
-#}

{%- set file_checks = source('landing', 'file_checks') -%}
{#- the path of the source's external_location -#}
{%- set manifest_path = env_var('OMNI_LANDING_PATH', 'data/landing') ~ '/_rejected/manifest.parquet' -%}
{%- set has_manifest = landing_file_exists(manifest_path) %}

with

source as (

    {% if has_manifest -%}
        select * from {{ file_checks }}
    {%- else -%}
        -- no manifest yet: no file has been checked
        select
            cast(null as {{ dbt.type_string() }}) as check_id,
            cast(null as {{ dbt.type_string() }}) as file_path,
            cast(null as {{ dbt.type_string() }}) as rejected_path,
            cast(null as {{ dbt.type_string() }}) as source_system,
            cast(null as {{ dbt.type_string() }}) as source_table,
            cast(null as {{ dbt.type_string() }}) as check_name,
            cast(null as {{ dbt.type_string() }}) as action,
            cast(null as {{ dbt.type_string() }}) as detail,
            cast(null as {{ dbt.type_bigint() }}) as row_count,
            cast(null as {{ dbt.type_bigint() }}) as file_bytes,
            cast(null as {{ dbt.type_string() }}) as file_md5,
            cast(null as {{ dbt.type_timestamp() }}) as detected_at
        where 1 = 0
    {%- endif %}

),

final as (

    select
        check_id as file_check_id,
        file_path,
        rejected_path,
        source_system,
        source_table,
        {{ dbt.concat(['source_system', "'__'", 'source_table']) }} as source_table_name,
        check_name,
        action,
        detail,
        row_count,
        file_bytes,
        file_md5,
        cast(detected_at as {{ dbt.type_timestamp() }}) as detected_at
    from source

)

select * from final
