"""Campaign lift in the built warehouse, checked against the generator's ground truth.

Reads the DuckDB warehouse that `make build` / `make test` produced (OMNI_DUCKDB_PATH, default
data/warehouse.duckdb) and the truth folder of the same generation (OMNI_TRUTH_PATH, default data/truth,
file campaign_effects.json). Skips when either is missing, e.g. when only the generator tests run.

What is checked:
- the interval in fct_campaign_performance is the Welch interval of the per-member outcomes (recomputed here
  with scipy, independently of the SQL and of the t-quantile macro);
- the per-member outcomes agree with the member orders in fct_orders (an independent recomputation of the
  lift window: same start-date anchor for treated and holdout, 7 days, zeros for members who bought nothing);
- the planted lifts lie inside the reported 95 % intervals, and campaigns without a planted effect have
  intervals covering 0. Each interval misses its truth 5 % of the time by design, so with several campaigns
  the test allows the number of misses a calibrated 95 % interval plausibly produces (binomial tail < 1 %)
  and prints every campaign; the pooled incremental sales of the planted campaigns must be covered outright.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import duckdb
import numpy as np
import pytest
from scipy import stats

REPO = Path(__file__).resolve().parents[1]


def _path(env: str, default: str) -> Path:
    value = Path(os.environ.get(env, default))
    return value if value.is_absolute() else REPO / value


WAREHOUSE = _path("OMNI_DUCKDB_PATH", "data/warehouse.duckdb")
TRUTH = _path("OMNI_TRUTH_PATH", "data/truth") / "campaign_effects.json"


def _allowed_misses(n: int, level: float = 0.95, tail: float = 0.01) -> int:
    """Largest k such that P(more than k misses among n calibrated intervals) >= tail, i.e. the number of
    misses beyond which calibration is rejected at the `tail` level."""
    k = 0
    while stats.binom.sf(k, n, 1 - level) >= tail:
        k += 1
    return k


@pytest.fixture(scope="module")
def con():
    if not WAREHOUSE.exists() or not TRUTH.exists():
        pytest.skip(f"needs a built warehouse ({WAREHOUSE}) and its truth ({TRUTH}); run `make build` first")
    connection = duckdb.connect(str(WAREHOUSE), read_only=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def truth():
    return json.loads(TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def reported(con):
    rows = con.execute(
        """
        select
            campaign_id,
            lift_treated_member_count,
            lift_holdout_member_count,
            lift_per_capita_amount,
            lift_per_capita_lower_amount,
            lift_per_capita_upper_amount,
            incremental_net_sales_amount,
            lift_window_days
        from marts.fct_campaign_performance
        where lift_per_capita_lower_amount is not null
        order by campaign_id
        """
    ).fetchall()
    cols = ["n_t", "n_h", "lift", "lower", "upper", "incremental", "window"]
    return {r[0]: dict(zip(cols, r[1:], strict=True)) for r in rows}


def _outcomes(con, campaign_id: str) -> tuple[np.ndarray, np.ndarray]:
    rows = con.execute(
        """
        select is_holdout, cast(window_net_sales_amount as double)
        from intermediate.int_campaign_member_outcomes
        where campaign_id = ? and not has_conflicting_assignment
        """,
        [campaign_id],
    ).fetchall()
    treated = np.array([v for h, v in rows if not h])
    holdout = np.array([v for h, v in rows if h])
    return treated, holdout


def _welch(treated: np.ndarray, holdout: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    vt, vh = treated.var(ddof=1) / len(treated), holdout.var(ddof=1) / len(holdout)
    diff = treated.mean() - holdout.mean()
    df = (vt + vh) ** 2 / (vt**2 / (len(treated) - 1) + vh**2 / (len(holdout) - 1))
    half = stats.t.ppf(0.5 + level / 2, df) * math.sqrt(vt + vh)
    return diff, diff - half, diff + half


def test_every_campaign_with_a_holdout_has_an_interval(reported, truth):
    with_holdout = {c for c, t in truth.items() if t["holdout_size"] > 0}
    assert with_holdout <= set(reported), f"no interval for {sorted(with_holdout - set(reported))}"
    assert any(truth[c]["has_planted_effect"] for c in reported), "the demo data must plant an effect"


def test_sql_interval_equals_scipy_welch(con, reported):
    for campaign_id, row in reported.items():
        treated, holdout = _outcomes(con, campaign_id)
        assert (len(treated), len(holdout)) == (row["n_t"], row["n_h"])
        diff, lower, upper = _welch(treated, holdout)
        assert row["lift"] == pytest.approx(diff, abs=1e-6)
        # the SQL t quantile is a series approximation (|error| < 0.001 for df >= 4): allow that much
        half = (upper - lower) / 2
        assert row["lower"] == pytest.approx(lower, abs=half * 0.001 + 1e-6), campaign_id
        assert row["upper"] == pytest.approx(upper, abs=half * 0.001 + 1e-6), campaign_id
        assert float(row["incremental"]) == pytest.approx(diff * len(treated), abs=0.01)


def test_outcomes_recomputed_from_member_orders(con, reported):
    """Window sales per audience member, recomputed from fct_orders and the audience cards."""
    window = next(iter(reported.values()))["window"]
    mismatches = con.execute(
        """
        with audience as (
            select distinct a.campaign_id, a.member_id, c.start_date
            from intermediate.int_campaign_audiences_resolved as a
            inner join staging.stg_marketing__campaigns as c
                on a.campaign_id = c.campaign_id and c.is_current
            where a.member_id is not null
        ),
        recomputed as (
            select
                audience.campaign_id,
                audience.member_id,
                coalesce(sum(o.net_sales_amount), 0) as window_net_sales_amount
            from audience
            left join marts.fct_orders as o
                on o.member_id = audience.member_id
                and o.business_date >= audience.start_date
                and o.business_date < audience.start_date + ?
            group by all
        )
        select count(*)
        from recomputed
        full outer join intermediate.int_campaign_member_outcomes as m
            on recomputed.campaign_id = m.campaign_id and recomputed.member_id = m.member_id
        where m.member_id is null
            or recomputed.member_id is null
            or recomputed.window_net_sales_amount <> m.window_net_sales_amount
        """,
        [window],
    ).fetchone()[0]
    assert mismatches == 0


def test_planted_lift_recovered(reported, truth):
    planted = [c for c in reported if truth[c]["has_planted_effect"]]
    lines, misses = [], []
    for c in planted:
        true_lift, row = truth[c]["planted_lift_yuan_per_treated"], reported[c]
        covered = row["lower"] <= true_lift <= row["upper"]
        lines.append(
            f"{c}: true {true_lift:.2f} yuan/treated, reported {row['lift']:.2f} "
            f"[{row['lower']:.2f}, {row['upper']:.2f}] {'covered' if covered else 'MISSED'}"
        )
        if not covered:
            misses.append(c)
    print("\n".join(lines))
    assert len(misses) <= _allowed_misses(len(planted)), "\n".join(lines)
    # Pooled over the planted campaigns (independent audiences, variances add): must cover outright.
    true_total = sum(truth[c]["incremental_net_sales_yuan"] for c in planted)
    est_total = sum(reported[c]["lift"] * reported[c]["n_t"] for c in planted)
    z = stats.norm.ppf(0.975)
    var_total = sum(
        ((reported[c]["upper"] - reported[c]["lower"]) / (2 * z) * reported[c]["n_t"]) ** 2 for c in planted
    )
    half = z * math.sqrt(var_total)
    print(f"pooled: true {true_total:.0f} yuan, reported {est_total:.0f} ± {half:.0f}")
    assert est_total - half <= true_total <= est_total + half


def test_no_effect_campaigns_cover_zero(reported, truth):
    null = [c for c in reported if not truth[c]["has_planted_effect"]]
    assert null, "the demo data must have campaigns without a planted effect"
    missed = [c for c in null if not reported[c]["lower"] <= 0 <= reported[c]["upper"]]
    for c in null:
        row = reported[c]
        print(f"{c}: no planted effect, reported {row['lift']:.2f} [{row['lower']:.2f}, {row['upper']:.2f}]")
    assert len(missed) <= _allowed_misses(len(null)), f"intervals excluding 0: {missed}"
    assert len(missed) < len(null)


def test_lift_window_matches_generator(reported, truth):
    for c, row in reported.items():
        assert row["window"] == truth[c]["window_days"], c


def test_acquisition_new_members_match_truth(con, truth):
    acquisition = {c: t for c, t in truth.items() if "members_enrolled" in t}
    assert acquisition, "the demo data must have an acquisition campaign"
    rows = dict(
        con.execute(
            """
            select campaign_id, new_member_count
            from marts.fct_campaign_performance
            where campaign_type = 'ACQUISITION'
            """
        ).fetchall()
    )
    for c, t in acquisition.items():
        assert rows.get(c) == t["members_enrolled"], c
