-- 会员占比 is computed once (int_member_share_monthly); every mart that shows it must show the same figure:
-- fct_member_kpis_monthly (store, banner, brand) and fct_store_performance_monthly (store), share and counts.
-- The intermediate recomputes the month before the first open month, which the marts keep frozen as
-- reported: it is compared from the first open month on (the two marts agree in every month).
with

shares as (

    select * from {{ ref('int_member_share_monthly') }}
    where month_start_date >= {{ first_open_month() }}

),

kpis as (

    select * from {{ ref('fct_member_kpis_monthly') }}

),

stores as (

    select * from {{ ref('fct_store_performance_monthly') }}

),

kpi_mismatches as (

    select
        'fct_member_kpis_monthly' as mart_name,
        shares.scope_type,
        shares.scope_value,
        shares.month_start_date
    from shares
    left join kpis
        on shares.month_start_date = kpis.snapshot_month
            and shares.scope_type = kpis.scope_type
            and shares.scope_value = kpis.scope_value
    where kpis.snapshot_month is null
        or kpis.member_order_share is distinct from shares.member_transaction_share
        or kpis.identified_order_share is distinct from shares.identified_transaction_share
        or kpis.member_orders <> shares.member_transaction_count
        or kpis.member_sales_share is distinct from shares.member_net_sales_share

),

store_mismatches as (

    select
        'fct_store_performance_monthly' as mart_name,
        'store' as scope_type,
        stores.store_id as scope_value,
        stores.month_start_date
    from stores
    left join kpis
        on stores.month_start_date = kpis.snapshot_month
            and kpis.scope_type = 'store'
            and stores.store_id = kpis.scope_value
    where stores.member_ticket_share is distinct from kpis.member_order_share
        or stores.identified_ticket_share is distinct from kpis.identified_order_share
        or stores.member_net_sales_share is distinct from kpis.member_sales_share
        or stores.member_ticket_count <> coalesce(kpis.member_orders, 0)

),

final as (

    select * from kpi_mismatches
    union all
    select * from store_mismatches

)

select * from final
