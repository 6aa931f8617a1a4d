"""Predictive CLV (omniwh/clv.py): the published CDNOW estimates, the conditional expectations, recovery of
simulated parameters, and a calibration/holdout backtest (CDNOW, and the built demo warehouse)."""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections import defaultdict
from pathlib import Path

import duckdb
import numpy as np
import pytest

from omniwh import clv

CDNOW = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "cdnow"
if not CDNOW.is_dir():  # a clone next to shared/ (the CI layout) or the project's sibling folder
    CDNOW = Path(os.environ.get("OMNI_CDNOW_PATH", "../shared/data/cdnow")).resolve()
FIXTURES = Path(__file__).parent / "fixtures" / "cdnow"
CALIBRATION_END = dt.date(1997, 9, 30)  # 39 weeks after 1997-01-01, as in the papers
HOLDOUT_END = dt.date(1998, 6, 30)


def _within(actual: float, published: float, tolerance: float = 0.005) -> bool:
    return abs(actual - published) <= tolerance * abs(published)


@pytest.fixture(scope="module")
def summary():
    with open(CDNOW / "cdnow_customers_summary.csv") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(np.array([float(row[column]) for row in rows]) for column in ("frequency", "recency", "T"))


@pytest.fixture(scope="module")
def master_days():
    """customer_id -> {purchase day: dollars} of the whole master file (a transaction is a purchase day)."""
    days: dict[int, dict[dt.date, float]] = defaultdict(lambda: defaultdict(float))
    with open(CDNOW / "CDNOW_master.txt") as handle:
        for line in handle:
            parts = line.split()
            if len(parts) != 4 or not parts[0].isdigit():
                continue
            day = dt.date(int(parts[1][:4]), int(parts[1][4:6]), int(parts[1][6:]))
            days[int(parts[0])][day] += float(parts[3])
    return days


def _calibration(days: dict[dt.date, float]):
    """x, t_x and T in weeks, mean repeat spend, and holdout purchase days of one customer."""
    calibration = sorted(day for day in days if day <= CALIBRATION_END)
    first = calibration[0]
    x = len(calibration) - 1
    mean_spend = sum(days[day] for day in calibration[1:]) / x if x else 0.0
    holdout = sum(1 for day in days if CALIBRATION_END < day <= HOLDOUT_END)
    return (x, (calibration[-1] - first).days / 7, (CALIBRATION_END - first).days / 7, mean_spend, holdout)


def test_bgnbd_reproduces_the_published_cdnow_estimates(summary):
    params = clv.fit_bgnbd(*summary)
    published = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}
    print(f"\nBG/NBD on CDNOW: r {params.r:.4f}, alpha {params.alpha:.4f}, a {params.a:.4f}, "
          f"b {params.b:.4f}, LL {params.log_likelihood:.1f} (published {published}, LL -9582.4)")
    for name, value in published.items():
        assert _within(getattr(params, name), value), (name, getattr(params, name), value)
    assert abs(params.log_likelihood - (-9582.4)) < 0.5


def test_bgnbd_fit_does_not_depend_on_the_time_unit(summary):
    x, t_x, big_t = summary
    weeks = clv.fit_bgnbd(x, t_x, big_t)
    days = clv.fit_bgnbd(x, t_x * 7, big_t * 7)
    assert _within(days.alpha, weeks.alpha * 7, 1e-3) and _within(days.r, weeks.r, 1e-3)
    assert _within(days.a, weeks.a, 1e-3) and _within(days.b, weeks.b, 1e-3)


def test_gamma_gamma_reproduces_the_published_cdnow_estimates(master_days):
    ids = [int(line) for line in (FIXTURES / "gamma_gamma_sample_master_ids.txt").read_text().split()]
    rows = [_calibration(master_days[customer]) for customer in ids]
    x = np.array([row[0] for row in rows], dtype=float)
    mean_spend = np.array([row[3] for row in rows])
    assert len(ids) == 946 and (x > 0).all()
    params = clv.fit_gamma_gamma(x, mean_spend)
    published = {"p": 6.25, "q": 3.74, "gamma": 15.44}
    print(f"\nGamma-Gamma on CDNOW: p {params.p:.4f}, q {params.q:.4f}, gamma {params.gamma:.4f} "
          f"(published {published})")
    for name, value in published.items():
        assert _within(getattr(params, name), value), (name, getattr(params, name), value)


def test_conditional_expectations_match_the_paper():
    params = clv.BgNbdParams(0.243, 4.414, 0.793, 2.426, 0.0, 0)
    # Fader, Hardie and Lee (2005), section 5: x = 2, t_x = 30.43, T = 38.86 -> 1.226 purchases in 39 weeks
    assert abs(clv.expected_purchases(params, 39, [2], [30.43], [38.86])[0] - 1.226) < 0.002
    # no repeat purchase: the model lets a customer drop out only after a purchase
    assert clv.p_alive(params, [0], [0], [38.86])[0] == 1.0
    # a long silence after many purchases lowers P(alive); a recent purchase raises it
    quiet, recent = clv.p_alive(params, [5, 5], [2.0, 38.0], [38.86, 38.86])
    assert 0 < quiet < 0.1 < 0.8 < recent <= 1
    # expected spend shrinks the member's own mean towards the population mean p * gamma / (q - 1)
    spend = clv.GammaGammaParams(6.25, 3.74, 15.44, 0.0, 0)
    population = 6.25 * 15.44 / 2.74
    low, high, none = clv.expected_spend(spend, [3, 3, 0], [10.0, 100.0, 0.0])
    assert 10 < low < population < high < 100 and abs(none - population) < 1e-9
    # hand-computed: (gamma + x m_x) p / (p x + q - 1) = (15.44 + 30) * 6.25 / (18.75 + 2.74)
    assert abs(low - 45.44 * 6.25 / 21.49) < 1e-9


def test_bgnbd_recovers_simulated_parameters():
    true = {"r": 0.3, "alpha": 20.0, "a": 0.8, "b": 2.5}
    x, t_x, big_t = clv.simulate_bgnbd(40_000, **true, age_max=500.0, seed=7)
    params = clv.fit_bgnbd(x, t_x, big_t)
    for name, value in true.items():
        assert _within(getattr(params, name), value, 0.15), (name, getattr(params, name), value)


def test_bad_inputs_are_refused():
    with pytest.raises(ValueError):
        clv.fit_bgnbd([1, 0], [5, 0], [3, 10])  # recency after T
    with pytest.raises(ValueError):
        clv.fit_bgnbd([0], [2], [10])  # recency without a repeat purchase
    with pytest.raises(ValueError):
        clv.fit_gamma_gamma([0, 0], [0, 0])


def _decile_table(predicted: np.ndarray, actual: np.ndarray) -> tuple[str, float]:
    order = np.argsort(predicted, kind="stable")
    lines = ["decile  members  predicted  actual"]
    for decile, part in enumerate(np.array_split(order, 10), start=1):
        lines.append(
            f"{decile:>6}  {len(part):>7}  {predicted[part].sum():>9.1f}  {actual[part].sum():>6.0f}"
        )
    mae = float(np.mean(np.abs(predicted - actual)))
    lines.append(
        f"total   {len(order):>7}  {predicted.sum():>9.1f}  {actual.sum():>6.0f}   MAE per member {mae:.3f}"
    )
    return "\n".join(lines), mae


def test_cdnow_holdout_backtest(master_days):
    rows = np.array([_calibration(days) for days in master_days.values()])
    x, t_x, big_t, _, holdout = rows.T
    params = clv.fit_bgnbd(x, t_x, big_t)
    predicted = clv.expected_purchases(params, (HOLDOUT_END - CALIBRATION_END).days / 7, x, t_x, big_t)
    table, _ = _decile_table(predicted, holdout)
    print(f"\nCDNOW backtest, 39-week calibration, 39-week holdout, {len(x)} customers\n{table}")
    # the model under-forecasts CDNOW's holdout purchase days by about 14 % (the 1998 rebound); the gate here
    # is the demo backtest below, this one guards against a regression in the conditional expectation
    assert abs(predicted.sum() - holdout.sum()) <= 0.20 * holdout.sum()
    assert np.corrcoef(predicted, holdout)[0, 1] > 0.5


HOLDOUT_DAYS = 180

BACKTEST_SQL = """
with purchase_days as (
    select member_id, business_date from intermediate.int_member_purchases_sequenced group by all
),
bounds as (select max(business_date) as last_day from purchase_days),
split as (select last_day - interval {holdout} day as calibration_end, last_day from bounds),
calibration as (
    select purchase_days.member_id,
        count(*) - 1 as frequency,
        datediff('day', min(business_date), max(business_date)) as recency_days,
        datediff('day', min(business_date), any_value(split.calibration_end)) as age_days
    from purchase_days cross join split
    where business_date <= split.calibration_end
    group by purchase_days.member_id
),
holdout as (
    select purchase_days.member_id, count(*) as holdout_purchases
    from purchase_days cross join split
    where business_date > split.calibration_end and business_date <= split.last_day
    group by purchase_days.member_id
)
select calibration.*, coalesce(holdout.holdout_purchases, 0) as holdout_purchases
from calibration left join holdout on calibration.member_id = holdout.member_id
"""


def test_demo_warehouse_holdout_backtest():
    """Calibration/holdout split of the built warehouse (`make test` builds the demo scale first): fit on
    every purchase day up to 180 days before the last one, predict the last 180 days per member."""
    path = Path(os.environ.get("OMNI_DUCKDB_PATH", "data/warehouse.duckdb"))
    if not path.exists():
        pytest.skip(f"no built warehouse at {path}")
    with duckdb.connect(str(path), read_only=True) as con:
        frame = con.sql(BACKTEST_SQL.format(holdout=HOLDOUT_DAYS)).fetchnumpy()
    x = frame["frequency"].astype(float)
    t_x = frame["recency_days"].astype(float)
    big_t = frame["age_days"].astype(float)
    actual = frame["holdout_purchases"].astype(float)
    params = clv.fit_bgnbd(x, t_x, big_t)
    predicted = clv.expected_purchases(params, HOLDOUT_DAYS, x, t_x, big_t)
    table, mae = _decile_table(predicted, actual)
    print(f"\nWarehouse backtest ({path}), {HOLDOUT_DAYS}-day holdout, {len(x)} members, "
          f"fit {params}\n{table}")
    assert np.isfinite(mae)
    assert abs(predicted.sum() - actual.sum()) <= 0.10 * actual.sum()
