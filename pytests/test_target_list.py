"""The consent guard of the campaign send lists can fail: it catches a list targeting people without consent.

`tests/privacy/assert_privacy_target_list_only_consented.sql` (severity error) recomputes the consent in force
at each send from the CRM consent history, independently of the models, and returns every targetable row of
`marts.fct_campaign_target_list` that had no opt-in in force. On a copy of the session's built tiny warehouse
(fixture built_tiny; its landing read only): run the test (it passes), then corrupt a copy
of the file the three ways a wrong list could look and run the test on the copy: it must fail with exactly
the corrupted rows.

1. an opted-out recipient made targetable (the list forgot the opt-out);
2. a recipient without any consent statement made targetable (no statement taken as consent);
3. a recipient who opted out between selection and send, made targetable *consistently*: judged at the
   assignment instead of the send, with the opt-in that was in force then. The row agrees with itself (the
   mart's own data tests pass); only a check that finds the send time itself can see it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from warehouse_helpers import dbt_env

from omniwh.duckdb_plugin import register_udfs

REPO = Path(__file__).resolve().parents[1]
DBT = str(Path(sys.executable).with_name("dbt"))
GUARD = "assert_privacy_target_list_only_consented"
LIST = "marts.fct_campaign_target_list"


def _env(root: Path, landing: Path, db: Path) -> dict:
    return dbt_env(root, landing, db, key=None)  # the demo key, as the session's built warehouse


def _dbt(env: dict, *args: str) -> subprocess.CompletedProcess:
    cmd = [DBT, *args, "--project-dir", str(REPO), "--profiles-dir", str(REPO)]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)


def _guard_result(env: dict, root: Path) -> dict:
    """Run the guard alone; its entry of run_results.json (status, failures)."""
    _dbt(env, "test", "--select", GUARD)
    results = json.loads((root / "target" / "run_results.json").read_text(encoding="utf-8"))["results"]
    prefix = f"test.omnichannel_member_warehouse.{GUARD}"
    (result,) = [r for r in results if r["unique_id"].startswith(prefix)]
    return result


@pytest.fixture(scope="module")
def built(built_tiny, tmp_path_factory):
    # the session's tiny warehouse (every seed and model, the list among them), copied: the guard runs on it
    root = tmp_path_factory.mktemp("target_list")
    copy = built_tiny.copy_to(root / "built")
    return root, copy.db, copy.landing


def _corrupt(db: Path, copy: Path) -> dict[str, tuple[str, str]]:
    """Make three excluded rows targetable in a copy; returns {defect: (campaign_id, recipient_id)}."""
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(db, copy)
    if Path(f"{db}.wal").exists():
        shutil.copyfile(f"{db}.wal", f"{copy}.wal")
    con = duckdb.connect(str(copy))
    register_udfs(con, {})  # the demo key, as the build (its env drops OMNI_HASH_KEY)
    picks = {
        "opted_out_made_targetable": (
            "exclusion_reason = 'opted_out_at_send' and consent_status_at_assignment <> 'OPT_IN'"
        ),
        "no_record_made_targetable": "exclusion_reason = 'no_consent_record'",
        "judged_at_assignment": (
            "exclusion_reason = 'opted_out_at_send' and consent_status_at_assignment = 'OPT_IN' and is_sent"
        ),
    }
    touched = {}
    try:
        for defect, condition in picks.items():
            row = con.execute(
                f"select campaign_id, recipient_id from {LIST} where {condition} order by 1, 2 limit 1"
            ).fetchone()
            assert row is not None, f"the tiny data has no row for {defect}: {condition}"
            touched[defect] = row
        con.execute(
            f"update {LIST} set is_targetable = true, exclusion_reason = null "
            "where campaign_id = ? and recipient_id = ?",
            list(touched["opted_out_made_targetable"]),
        )
        con.execute(
            f"update {LIST} set is_targetable = true, exclusion_reason = null "
            "where campaign_id = ? and recipient_id = ?",
            list(touched["no_record_made_targetable"]),
        )
        con.execute(
            f"update {LIST} set targeted_at = assigned_at, targeted_at_basis = 'planned_send', "
            "consent_status_at_send = consent_status_at_assignment, is_targetable = true, "
            "exclusion_reason = null "
            "where campaign_id = ? and recipient_id = ?",
            list(touched["judged_at_assignment"]),
        )
    finally:
        con.close()
    return touched


def test_the_guard_passes_on_the_built_list(built):
    root, db, landing = built
    result = _guard_result(_env(root, landing, db), root)
    assert result["status"] == "pass", result.get("message")
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(con.execute(f"select exclusion_reason, count(*) from {LIST} group by 1").fetchall())
    # the list is not trivially empty: people are targeted and people are excluded for consent
    assert reasons.get(None, 0) > 100
    assert reasons.get("opted_out_at_send", 0) > 0 and reasons.get("no_consent_record", 0) > 0


def test_the_guard_fails_on_a_list_that_targets_people_without_consent(built):
    root, db, landing = built
    copy = root / "corrupted" / "warehouse.duckdb"  # same file name: dbt-duckdb names the catalog after it
    touched = _corrupt(db, copy)
    result = _guard_result(_env(root, landing, copy), root)
    assert result["status"] == "fail"
    assert result["failures"] == len(touched) == 3
    # the third defect is invisible to the mart's own consistency rule
    with duckdb.connect(str(copy), read_only=True) as con:
        campaign_id, recipient_id = touched["judged_at_assignment"]
        status = con.execute(
            f"select consent_status_at_send, is_targetable from {LIST} "
            "where campaign_id = ? and recipient_id = ?",
            [campaign_id, recipient_id],
        ).fetchone()
    assert status == ("OPT_IN", True)
