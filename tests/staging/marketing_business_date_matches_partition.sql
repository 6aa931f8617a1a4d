{#-
    The landing contract puts every fact row in the partition of its business date (dt = Asia/Shanghai date,
    late rows included). Staging converts the local time stamps to UTC and derives business_date back from
    UTC, so the two agreeing is an end-to-end check of the local <-> UTC round trip (and of the landing
    layout). Returns the usable rows whose business_date differs from the dt of their landing file.
-#}

{%- set partition_date = regexp_extract_group('_source_file', 'dt=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) %}

with

audiences as (

    select
        'stg_marketing__audiences' as model_name,
        campaign_id || '|' || card_no as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_marketing__audiences') }}

),

touches as (

    select
        'stg_marketing__touches' as model_name,
        touch_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_marketing__touches') }}

),

coupons_issued as (

    select
        'stg_marketing__coupons_issued' as model_name,
        coupon_code as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_marketing__coupons_issued') }}

),

coupon_redemptions as (

    select
        'stg_marketing__coupon_redemptions' as model_name,
        redemption_id as natural_key,
        business_date,
        _source_file
    from {{ ref('stg_marketing__coupon_redemptions') }}

),

unioned as (

    select * from audiences
    union all
    select * from touches
    union all
    select * from coupons_issued
    union all
    select * from coupon_redemptions

),

final as (

    select
        model_name,
        natural_key,
        business_date,
        _source_file
    from unioned
    where business_date <> cast({{ partition_date }} as date)

)

select * from final
