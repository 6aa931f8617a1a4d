{#-
    Staged records whose reference to another table points at nothing, one row per (record, failed check).
    Staging checks each row on its own; int_orders_quarantined (orders) already keeps POS refunds of unknown
    tickets and orders of unknown stores or shops out of the order facts. This model covers the references
    nobody else checks:
    - unknown_coupon: a coupon code on a POS ticket, a Tmall/JD or mini-program order, or a redemption that no
      staged coupon issue knows (a mistyped code, a coupon of another programme, or an issue of an erased person);
    - unknown_store: an O2O delivery, a day of O2O online hours or a coupon redemption naming a store that is in
      no version of the store master;
    - unknown_campaign: a touch, audience row, issued coupon, coupon template or platform event naming a
      campaign the campaign master does not have;
    - orphan_line: an order line whose order is not staged (never sent, or quarantined in staging); the order
      facts join lines to their order, so these lines would otherwise vanish without a trace.
    Listing a record here does not remove it: what each consumer does with it is in the YAML.
-#}

with

stores as (

    select distinct store_id from {{ ref('stg_stores__store_master') }}

),

campaigns as (

    select distinct campaign_id from {{ ref('stg_marketing__campaigns') }}

),

coupons_issued as (

    select * from {{ ref('stg_marketing__coupons_issued') }}

),

issued_codes as (

    select distinct coupon_code from coupons_issued

),

pos_tickets as (

    select * from {{ ref('stg_pos__transactions') }}

),

pos_lines as (

    select * from {{ ref('stg_pos__transaction_lines') }}

),

ecommerce_orders as (

    select * from {{ ref('stg_ecommerce__orders') }}

),

ecommerce_lines as (

    select * from {{ ref('stg_ecommerce__order_lines') }}

),

miniprogram_orders as (

    select * from {{ ref('stg_miniprogram__orders') }}

),

miniprogram_lines as (

    select * from {{ ref('stg_miniprogram__order_lines') }}

),

redemptions as (

    select * from {{ ref('stg_marketing__coupon_redemptions') }}

),

deliveries as (

    select * from {{ ref('stg_o2o__delivery_orders') }}

),

online_hours as (

    select * from {{ ref('stg_stores__o2o_online_hours') }}

),

touches as (

    select * from {{ ref('stg_marketing__touches') }}

),

audiences as (

    select * from {{ ref('stg_marketing__audiences') }}

),

coupon_templates as (

    select * from {{ ref('stg_marketing__coupon_templates') }}

),

platform_events as (

    select * from {{ ref('stg_behaviour__platform_events') }}

),

-- every coupon code sent with an order or a redemption, with the record that carries it
coupon_uses as (

    select
        'pos__transactions' as source_table,
        ticket_id as natural_key,
        coupon_code,
        business_date
    from pos_tickets
    where coupon_code is not null

    union all

    select
        'ecommerce__orders' as source_table,
        {{ dbt.concat(['platform', "'|'", 'order_id']) }} as natural_key,
        coupon_code,
        business_date
    from ecommerce_orders
    where coupon_code is not null

    union all

    select
        'miniprogram__orders' as source_table,
        order_id as natural_key,
        coupon_code,
        business_date
    from miniprogram_orders
    where coupon_code is not null

    union all

    select
        'marketing__coupon_redemptions' as source_table,
        redemption_id as natural_key,
        coupon_code,
        business_date
    from redemptions
    where coupon_code is not null

),

unknown_coupons as (

    select
        coupon_uses.source_table,
        coupon_uses.natural_key,
        'unknown_coupon' as reference_issue,
        'coupon_code' as reference_column,
        coupon_uses.coupon_code as referenced_value,
        coupon_uses.business_date
    from coupon_uses
    left join issued_codes
        on coupon_uses.coupon_code = issued_codes.coupon_code
    where issued_codes.coupon_code is null

),

store_uses as (

    select
        'o2o__delivery_orders' as source_table,
        delivery_id as natural_key,
        store_id,
        business_date
    from deliveries

    union all

    select
        'stores__o2o_online_hours' as source_table,
        {{ dbt.concat(['store_id', "'|'", "cast(business_date as " ~ dbt.type_string() ~ ")"]) }} as natural_key,
        store_id,
        business_date
    from online_hours

    union all

    select
        'marketing__coupon_redemptions' as source_table,
        redemption_id as natural_key,
        store_id,
        business_date
    from redemptions
    where store_id is not null

),

unknown_stores as (

    select
        store_uses.source_table,
        store_uses.natural_key,
        'unknown_store' as reference_issue,
        'store_id' as reference_column,
        store_uses.store_id as referenced_value,
        store_uses.business_date
    from store_uses
    left join stores
        on store_uses.store_id = stores.store_id
    where stores.store_id is null

),

campaign_uses as (

    select
        'marketing__touches' as source_table,
        touch_id as natural_key,
        campaign_id,
        business_date
    from touches

    union all

    select
        'marketing__audiences' as source_table,
        {{ dbt.concat(['campaign_id', "'|'", 'card_no']) }} as natural_key,
        campaign_id,
        business_date
    from audiences

    union all

    select
        'marketing__coupons_issued' as source_table,
        coupon_code as natural_key,
        campaign_id,
        business_date
    from coupons_issued

    union all

    select
        'marketing__coupon_templates' as source_table,
        template_id as natural_key,
        campaign_id,
        cast(null as date) as business_date
    from coupon_templates
    where campaign_id is not null

    union all

    select
        'behaviour__platform_events' as source_table,
        event_id as natural_key,
        campaign_id,
        business_date
    from platform_events
    where campaign_id is not null

),

unknown_campaigns as (

    select distinct
        campaign_uses.source_table,
        campaign_uses.natural_key,
        'unknown_campaign' as reference_issue,
        'campaign_id' as reference_column,
        campaign_uses.campaign_id as referenced_value,
        campaign_uses.business_date
    from campaign_uses
    left join campaigns
        on campaign_uses.campaign_id = campaigns.campaign_id
    where campaigns.campaign_id is null

),

orphan_pos_lines as (

    select
        'pos__transaction_lines' as source_table,
        {{ dbt.concat(['pos_lines.ticket_id', "'|'", "cast(pos_lines.line_no as " ~ dbt.type_string() ~ ")"]) }}
            as natural_key,
        'orphan_line' as reference_issue,
        'ticket_id' as reference_column,
        pos_lines.ticket_id as referenced_value,
        pos_lines.business_date
    from pos_lines
    left join pos_tickets
        on pos_lines.ticket_id = pos_tickets.ticket_id
    where pos_tickets.ticket_id is null

),

orphan_ecommerce_lines as (

    select
        'ecommerce__order_lines' as source_table,
        {{ dbt.concat([
            'ecommerce_lines.platform', "'|'", 'ecommerce_lines.order_id', "'|'", 'ecommerce_lines.line_id',
        ]) }} as natural_key,
        'orphan_line' as reference_issue,
        'order_id' as reference_column,
        {{ dbt.concat(['ecommerce_lines.platform', "'|'", 'ecommerce_lines.order_id']) }} as referenced_value,
        ecommerce_lines.business_date
    from ecommerce_lines
    left join ecommerce_orders
        on ecommerce_lines.platform = ecommerce_orders.platform
            and ecommerce_lines.order_id = ecommerce_orders.order_id
    where ecommerce_orders.order_id is null

),

orphan_miniprogram_lines as (

    select
        'miniprogram__order_lines' as source_table,
        {{ dbt.concat([
            'miniprogram_lines.order_id', "'|'", "cast(miniprogram_lines.line_no as " ~ dbt.type_string() ~ ")",
        ]) }} as natural_key,
        'orphan_line' as reference_issue,
        'order_id' as reference_column,
        miniprogram_lines.order_id as referenced_value,
        miniprogram_lines.business_date
    from miniprogram_lines
    left join miniprogram_orders
        on miniprogram_lines.order_id = miniprogram_orders.order_id
    where miniprogram_orders.order_id is null

),

unioned as (

    select * from unknown_coupons
    union all
    select * from unknown_stores
    union all
    select * from unknown_campaigns
    union all
    select * from orphan_pos_lines
    union all
    select * from orphan_ecommerce_lines
    union all
    select * from orphan_miniprogram_lines

),

final as (

    select
        {{ dbt.hash(dbt.concat(['source_table', "'|'", 'natural_key', "'|'", 'reference_issue'])) }}
            as reference_check_id,
        source_table,
        natural_key,
        reference_issue,
        reference_column,
        referenced_value,
        business_date
    from unioned

)

select * from final
