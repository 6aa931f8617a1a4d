-- No quasi-identifier in the published layer: no text column of a mart with member_id, other than member_id
-- and keyed hashes (*_hash), holds a value of the member's own (one member, one value) for most members - the
-- masked phone 138****5678 did, and joined the marts to the platforms' order exports; so did the single-use
-- coupon code of the order marts (now coupon_code_hash). No exemption for the activation list either: the
-- export `omniwh activate` reads its masked phone from the private contacts snapshot (omniwh/serving.py). Macro
-- privacy_scan_member_unique_columns (macros/privacy/privacy_scan.sql); one row per offending column, counts only.
-- The scan runs after every mart (the macro fails the test if a mart is missing from this list):
-- depends_on: {{ ref('dim_member_ids') }}
-- depends_on: {{ ref('dim_members') }}
-- depends_on: {{ ref('dim_stores') }}
-- depends_on: {{ ref('fct_campaign_performance') }}
-- depends_on: {{ ref('fct_campaign_performance_daily') }}
-- depends_on: {{ ref('fct_campaign_target_list') }}
-- depends_on: {{ ref('fct_consumer_aipl_monthly') }}
-- depends_on: {{ ref('fct_cvm_decomposition_monthly') }}
-- depends_on: {{ ref('fct_cvm_monthly') }}
-- depends_on: {{ ref('fct_fast_monthly') }}
-- depends_on: {{ ref('fct_lifecycle_transitions_monthly') }}
-- depends_on: {{ ref('fct_member_activations') }}
-- depends_on: {{ ref('fct_member_clv') }}
-- depends_on: {{ ref('fct_member_home_units_monthly') }}
-- depends_on: {{ ref('fct_member_journey_milestones') }}
-- depends_on: {{ ref('fct_member_kpis_monthly') }}
-- depends_on: {{ ref('fct_member_lifecycle_monthly') }}
-- depends_on: {{ ref('fct_member_rfm_monthly') }}
-- depends_on: {{ ref('fct_member_tags') }}
-- depends_on: {{ ref('fct_order_lines') }}
-- depends_on: {{ ref('fct_orders') }}
-- depends_on: {{ ref('fct_rfm_migrations_monthly') }}
-- depends_on: {{ ref('fct_store_performance_monthly') }}
-- depends_on: {{ ref('fct_store_tier_history') }}

{#
    Exempted, with the reason:
    - consumer_id, recipient_id: the member_id itself for members, else `U` + a keyed hash (pseudonyms by
      definition, like member_id);
    - surviving_member_id of dim_member_ids: a member id (today's id of the row's member id);
#}
{{ privacy_scan_member_unique_columns(allowed={
    'fct_consumer_aipl_monthly': ['consumer_id'],
    'fct_campaign_target_list': ['recipient_id'],
    'dim_member_ids': ['surviving_member_id'],
}) }}
