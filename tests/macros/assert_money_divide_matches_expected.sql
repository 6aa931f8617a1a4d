-- money_divide(): money divided or multiplied to the fen, half away from zero, in exact decimal arithmetic.
-- Expectations by hand. 551.18 / 4 = 137.795 exactly: 137.80 (a double division gives 137.79499… -> 137.79).
-- A quotient just below a half stays down (1.00499… cannot round up); negatives round away from zero;
-- a zero or NULL denominator gives NULL; the type is decimal(18, 2).
{%- set cases = [
    ('aov_half_up', "cast(551.18 as decimal(18, 2))", '4', '137.80'),
    ('aov_half_negative', "cast(-551.18 as decimal(18, 2))", '4', '-137.80'),
    ('negative_denominator', "cast(551.18 as decimal(18, 2))", '-4', '-137.80'),
    ('third_down', "cast(1.00 as decimal(18, 2))", '3', '0.33'),
    ('two_thirds_up', "cast(2.00 as decimal(18, 2))", '3', '0.67'),
    ('just_below_half', "cast(100.49 as decimal(18, 2))", '100', '1.00'),
    ('exact_half_fen', "cast(0.01 as decimal(18, 2))", '2', '0.01'),
    ('exact_half_fen_negative', "cast(-0.01 as decimal(18, 2))", '2', '-0.01'),
    ('per_sqm_annualised', "cast(551.18 as decimal(18, 2)) * 365", "4 * cast(100.00 as decimal(18, 2))", '502.95'),
    ('product_rounded', "cast(19.99 as decimal(18, 2)) * cast(0.125 as decimal(18, 3))", '1', '2.50'),
    ('product_half_up', "cast(10.01 as decimal(18, 2)) * cast(0.5 as decimal(18, 1))", '1', '5.01'),
    ('large_amount', "cast(9999999999.99 as decimal(18, 2))", '7', '1428571428.57'),
    ('zero_denominator', "cast(1.00 as decimal(18, 2))", '0', none),
    ('null_denominator', "cast(1.00 as decimal(18, 2))", 'cast(null as integer)', none),
] %}

with

cases as (

    {%- for case_name, numerator, denominator, expected in cases %}
        select
            '{{ case_name }}' as case_name,
            {{ money_divide(numerator, denominator) }} as actual_amount,
            cast({{ "'" ~ expected ~ "'" if expected is not none else 'null' }} as decimal(18, 2)) as expected_amount
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}

),

typed as (

    select typeof({{ money_divide("cast(551.18 as decimal(18, 2))", '4') }}) as actual_type

),

final as (

    select
        cases.case_name,
        cast(cases.actual_amount as varchar) as actual_value,
        cast(cases.expected_amount as varchar) as expected_value
    from cases
    where cases.actual_amount is distinct from cases.expected_amount
    union all
    select
        'type' as case_name,
        typed.actual_type as actual_value,
        'DECIMAL(18,2)' as expected_value
    from typed
    where typed.actual_type <> 'DECIMAL(18,2)'

)

select * from final
