-- Why landed rows did not reach staging: rows per landing table and quarantine reason, with the share of
-- the table's landed rows. Run with `dbt compile --select quarantine_by_reason` and paste, or `dbt show`.
with

quarantined as (

    select * from {{ ref('int_rows_quarantined') }}

),

per_reason as (

    select
        source_table,
        quarantine_reason,
        count(*) as quarantined_rows,
        min(business_date) as first_business_date,
        max(business_date) as last_business_date
    from quarantined
    group by source_table, quarantine_reason

),

final as (

    select
        source_table,
        quarantine_reason,
        quarantined_rows,
        first_business_date,
        last_business_date
    from per_reason

)

select * from final
order by source_table asc, quarantined_rows desc
