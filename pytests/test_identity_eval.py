"""The identity graph scored against the generator's ground truth on `demo` data (about 20k people).

Builds the warehouse up to the identity graph in a temporary DuckDB file (a few minutes: generation and
staging of the demo scale). To score an existing build instead, set OMNI_IDENTITY_EVAL_DUCKDB and
OMNI_IDENTITY_EVAL_TRUTH.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from warehouse_helpers import dbt_env

from omniwh.generator import generate
from omniwh.identity_eval import evaluate, format_score

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))


def _dbt(env: dict, *args: str) -> None:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)
    if done.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed:\n{done.stdout[-6000:]}\n{done.stderr[-2000:]}")


@pytest.fixture(scope="module")
def demo_score(tmp_path_factory):
    db, truth = os.environ.get("OMNI_IDENTITY_EVAL_DUCKDB"), os.environ.get("OMNI_IDENTITY_EVAL_TRUTH")
    if not (db and truth):
        root = tmp_path_factory.mktemp("identity_eval")
        landing, truth = root / "landing", root / "truth"
        generate("demo", 42, str(landing), str(truth), quiet=True)
        db = root / "warehouse.duckdb"
        env = dbt_env(root, landing, db)
        # seeds and models up to the identity graph (upstream seeds included), without their tests
        _dbt(
            env,
            "build",
            "--select",
            "+path:models/intermediate/identity",
            "--exclude",
            "resource_type:test",
            "resource_type:unit_test",
        )
    score = evaluate(str(db), str(truth))
    print(format_score(score))
    return score


def test_precision_at_least_0_999(demo_score):
    assert demo_score.precision >= 0.999


def test_recall_over_linkable_pairs_at_least_0_99(demo_score):
    assert demo_score.recall_linkable >= 0.99


def test_unlinkable_share_is_reported_and_consistent(demo_score):
    s = demo_score
    assert 0.0 <= s.unlinkable_share < 1.0
    assert s.linkable_pairs <= s.true_pairs
    # every linkable pair found is a true positive, so overall recall >= linkable recall x linkable share
    assert s.recall >= s.recall_linkable * (1.0 - s.unlinkable_share) - 1e-9


def test_no_merge_through_a_quarantined_identifier(demo_score):
    assert demo_score.graph_edges_through_quarantined == 0
    assert demo_score.quarantined_with_member == 0


def test_sql_components_equal_scipy_components(demo_score):
    assert demo_score.components_match_scipy


def test_placeholders_and_store_phones_are_all_quarantined(demo_score):
    assert demo_score.placeholder_identifiers_seen > 0
    assert demo_score.placeholder_identifiers_quarantined == demo_score.placeholder_identifiers_seen
