-- Landing files kept out of staging as a whole, one row per rejected file and check: the file-level companion
-- of int_rows_quarantined (same source_table naming). Rows of these files are in no stg_ model and in no raw
-- count of the conservation tests: the landing check moved them out of the glob before dbt ran.

with

file_checks as (

    select * from {{ ref('stg_landing__file_checks') }}

),

final as (

    select
        file_check_id,
        source_table_name as source_table,
        file_path,
        rejected_path,
        check_name as quarantine_reason,
        detail,
        row_count,
        file_bytes,
        file_md5,
        detected_at
    from file_checks
    where action = 'rejected'

)

select * from final
