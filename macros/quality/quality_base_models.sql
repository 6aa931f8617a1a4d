{#-
    Every base_ model with its natural key (docs/landing_contract.md), for the models that read all of them:
    int_rows_quarantined (quarantined rows) and int_rows_erased (erased rows). dbt only knows a model's parents
    from the ref() calls it finds while parsing, when the graph is not yet available, so the list is written
    out; tests/staging/assert_every_base_model_feeds_quarantine.sql fails when a base_ model is missing here.
-#}
{% macro quality_base_models() -%}
    {{ return([
        {'name': 'base_stores__store_master', 'key': ['store_id']},
        {'name': 'base_stores__o2o_online_hours', 'key': ['store_id', 'business_date']},
        {'name': 'base_pos__transactions', 'key': ['ticket_id']},
        {'name': 'base_pos__transaction_lines', 'key': ['ticket_id', 'line_no']},
        {'name': 'base_ecommerce__orders', 'key': ['platform', 'order_id']},
        {'name': 'base_ecommerce__order_lines', 'key': ['platform', 'order_id', 'line_id']},
        {'name': 'base_ecommerce__membership_bindings', 'key': ['platform', 'buyer_id']},
        {'name': 'base_o2o__delivery_orders', 'key': ['delivery_id']},
        {'name': 'base_behaviour__platform_events', 'key': ['event_id']},
        {'name': 'base_miniprogram__users', 'key': ['openid']},
        {'name': 'base_miniprogram__orders', 'key': ['order_id']},
        {'name': 'base_miniprogram__order_lines', 'key': ['order_id', 'line_no']},
        {'name': 'base_miniprogram__events', 'key': ['event_id']},
        {'name': 'base_wecom__staff', 'key': ['staff_id']},
        {'name': 'base_wecom__external_contacts', 'key': ['external_userid', 'staff_id']},
        {'name': 'base_crm__members', 'key': ['card_no']},
        {'name': 'base_crm__points_ledger', 'key': ['ledger_id']},
        {'name': 'base_crm__tier_changes', 'key': ['card_no', 'changed_at']},
        {'name': 'base_crm__consent_events', 'key': ['card_no', 'channel', 'changed_at']},
        {'name': 'base_marketing__campaigns', 'key': ['campaign_id']},
        {'name': 'base_marketing__audiences', 'key': ['campaign_id', 'card_no']},
        {'name': 'base_marketing__touches', 'key': ['touch_id']},
        {'name': 'base_marketing__coupon_templates', 'key': ['template_id']},
        {'name': 'base_marketing__coupons_issued', 'key': ['coupon_code']},
        {'name': 'base_marketing__coupon_redemptions', 'key': ['redemption_id']},
    ]) }}
{%- endmacro %}
