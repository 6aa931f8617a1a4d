-- Tier history as spells: consecutive months in which a store kept the same TOP tier collapse into one row.
-- A month without a tier (O2O switched off, store closed) ends the spell.
with

store_months as (

    select * from {{ ref('fct_store_performance_monthly') }}

),

sequenced as (

    select
        store_id,
        month_start_date,
        tier_code,
        row_number() over (partition by store_id order by month_start_date)
        - row_number() over (partition by store_id, tier_code order by month_start_date) as spell_key
    from store_months
    where tier_code is not null

),

-- Months are consecutive within a spell only if no untiered month sits between them; the month gap check
-- below splits such a spell.
gapped as (

    select
        sequenced.*,
        case
            when lag(sequenced.month_start_date)
                    over (
                        partition by sequenced.store_id, sequenced.tier_code, sequenced.spell_key
                        order by sequenced.month_start_date
                    )
                = cast({{ dbt.dateadd('month', -1, 'month_start_date') }} as date)
                then 0
            else 1
        end as is_spell_start
    from sequenced

),

spells as (

    select
        gapped.*,
        sum(gapped.is_spell_start) over (
            partition by gapped.store_id, gapped.tier_code, gapped.spell_key
            order by gapped.month_start_date
            rows between unbounded preceding and current row
        ) as sub_spell
    from gapped

),

collapsed as (

    select
        store_id,
        tier_code,
        min(month_start_date) as first_month_start_date,
        max(month_start_date) as last_month_start_date,
        count(*) as month_count
    from spells
    group by store_id, tier_code, spell_key, sub_spell

),

final as (

    select
        {{ dbt.concat([
            'store_id', "':'", 'cast(first_month_start_date as ' ~ dbt.type_string() ~ ')'
        ]) }} as store_tier_spell_id,
        store_id,
        tier_code,
        first_month_start_date,
        last_month_start_date,
        cast(month_count as integer) as month_count,
        lag(tier_code) over (partition by store_id order by first_month_start_date) as previous_tier_code,
        last_month_start_date = max(last_month_start_date) over (partition by store_id) as is_latest_spell
    from collapsed

)

select * from final
