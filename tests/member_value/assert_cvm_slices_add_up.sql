-- Within a month, the slices of one dimension partition the members' purchases, and new + returning members
-- partition the members: net sales and purchases add up to the brand total; active members add up across
-- member types (a member is new or returning in a month, never both).
with

cvm as (

    select * from {{ ref('fct_cvm_monthly') }}

),

brand as (

    select * from cvm
    where dimension_name = 'all'
        and member_type = 'all'

),

by_dimension as (

    select
        snapshot_month,
        dimension_name,
        sum(net_sales_amount) as net_sales_amount,
        sum(purchases) as purchases,
        cast(null as bigint) as active_members
    from cvm
    where member_type = 'all'
    group by snapshot_month, dimension_name

    union all

    select
        snapshot_month,
        'member_type' as dimension_name,
        sum(net_sales_amount) as net_sales_amount,
        sum(purchases) as purchases,
        sum(active_members) as active_members
    from cvm
    where dimension_name = 'all'
        and member_type in ('new', 'returning')
    group by snapshot_month

),

mismatches as (

    select
        by_dimension.snapshot_month,
        by_dimension.dimension_name,
        by_dimension.net_sales_amount,
        brand.net_sales_amount as brand_net_sales_amount,
        by_dimension.purchases,
        brand.purchases as brand_purchases
    from by_dimension
    left join brand
        on by_dimension.snapshot_month = brand.snapshot_month
    where brand.snapshot_month is null
        or by_dimension.net_sales_amount <> brand.net_sales_amount
        or by_dimension.purchases <> brand.purchases
        or by_dimension.active_members <> brand.active_members

)

select * from mismatches
