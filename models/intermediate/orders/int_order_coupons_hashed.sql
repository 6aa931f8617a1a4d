-- The keyed pseudonym of the coupon redeemed on each order that has one (grain: order_id), for the order
-- marts: a single-use coupon code is a member's own, so the marts publish this hash instead of the code. A
-- table rebuilt every run, so the hash always follows the current OMNI_HASH_KEY (a key rotation needs no step
-- of its own), and the mart views read a stored value rather than call the keyed-hash function, which only
-- a connection holding the key has (the serving snapshot is copied by a plain DuckDB connection).
with

orders as (

    select * from {{ ref('int_orders_resolved') }}
    where coupon_code is not null

),

final as (

    select
        order_id,
        {{ keyed_hash('coupon_code') }} as coupon_code_hash
    from orders

)

select * from final
