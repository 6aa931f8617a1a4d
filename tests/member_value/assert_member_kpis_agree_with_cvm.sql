-- The brand-level health check and the brand-level CVM describe the same identified buyers: active members
-- agree every month, and the enrolled members' net sales of the health check (会员, a subset of the identified
-- buyers the CVM decomposes) never exceed the CVM's net sales.
with

kpis as (

    select * from {{ ref('fct_member_kpis_monthly') }}
    where scope_type = 'all'

),

cvm as (

    select * from {{ ref('fct_cvm_monthly') }}
    where dimension_name = 'all'
        and member_type = 'all'

),

mismatches as (

    select
        cvm.snapshot_month,
        cvm.net_sales_amount as cvm_net_sales_amount,
        kpis.member_net_sales_amount as kpi_member_net_sales_amount,
        cvm.active_members as cvm_active_members,
        kpis.active_members as kpi_active_members
    from cvm
    left join kpis
        on cvm.snapshot_month = kpis.snapshot_month
    where kpis.snapshot_month is null
        or cvm.net_sales_amount < kpis.member_net_sales_amount
        or cvm.active_members <> kpis.active_members

)

select * from mismatches
