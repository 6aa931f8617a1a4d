{#-
    One row per raw landed row that staging keeps out of its stg_ model, from every base_ model.
    dbt only knows a model's parents from the ref() calls it finds while parsing, when the graph is not yet
    available, so the base models are listed here by name (with their natural key, docs/landing_contract.md).
    The singular test tests/staging/assert_every_base_model_feeds_quarantine.sql fails when a base_ model
    exists that this list misses. business_date is taken from the base model when it has one (facts), NULL
    for dimensions.
-#}

{%- set base_models = [
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
] -%}

with

{% for base_model in base_models %}
    {%- set source_table = base_model.name | replace('base_', '', 1) -%}
    {%- set has_business_date = true -%}
    {%- if execute -%}
        {%- set column_names = adapter.get_columns_in_relation(ref(base_model.name))
            | map(attribute='name') | map('lower') | list -%}
        {%- set has_business_date = 'business_date' in column_names -%}
    {%- endif -%}
    {%- set key_parts = [] -%}
    {%- for column in base_model.key -%}
        {%- do key_parts.append("coalesce(cast(" ~ column ~ " as " ~ dbt.type_string() ~ "), '')") -%}
    {%- endfor %}
    {{ source_table }} as (

        select
            '{{ source_table }}' as source_table,
            {{ key_parts | join(" || '|' || ") }} as natural_key,
            _quarantine_reason as quarantine_reason,
            {{ 'business_date' if has_business_date else 'null' }} as business_date,
            _extracted_at as extracted_at,
            _source_file as source_file,
            _row_fingerprint as row_fingerprint,
            {{ row_to_json('quarantined_row') }} as raw_record
        from {{ ref(base_model.name) }} as quarantined_row  -- noqa: AL05
        where _quarantine_reason is not null

    ),

{% endfor %}
unioned as (

    {% for base_model in base_models %}
        select * from {{ base_model.name | replace('base_', '', 1) }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

numbered as (

    -- identical rows landed twice in one file are two quarantined rows: number them to keep them apart
    select
        *,
        row_number() over (
            partition by source_table, source_file, row_fingerprint
            order by quarantine_reason, extracted_at
        ) as copy_in_file
    from unioned

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'source_table', "'|'", 'source_file', "'|'", 'row_fingerprint', "'|'",
            "cast(copy_in_file as " ~ dbt.type_string() ~ ")",
        ])) }} as quarantined_row_id,
        source_table,
        natural_key,
        quarantine_reason,
        cast(business_date as date) as business_date,
        extracted_at,
        source_file,
        row_fingerprint,
        raw_record
    from numbered

)

select * from final
