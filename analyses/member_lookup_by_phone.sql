-- Look a member up by a phone number without writing the number into the warehouse: the phone is hashed
-- with the same keyed hash as dim_members.phone_hash. Usage:
--   dbt compile --select member_lookup_by_phone --vars '{lookup_phone: "13812345678"}'
-- The compiled SQL contains the phone you asked for: do not commit or share it.
with

members as (

    select * from {{ ref('dim_members') }}

),

final as (

    select *
    from members
    where phone_hash = {{ keyed_hash("'" ~ var('lookup_phone', '00000000000') ~ "'") }}

)

select * from final
