"""The landing preflight on small hand-made landing folders (no dbt, a few seconds).

What the bad-input build cannot show because it needs a preflight that STOPS: an empty landing folder, a
contract table without any readable file and a landing path that does not exist are errors (exit status
!= 0) whose message names the table, the folder and the setting to check. Also: a Parquet file with a
repeated column name is rejected without crashing the check, and files outside the documented layout are
listed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from omniwh.landing_check import EXIT_EMPTY, load_contract, run

REPO = Path(__file__).resolve().parents[1]


def _preflight(landing: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMNI_LANDING_PATH=str(landing))
    cmd = [sys.executable, "-m", "omniwh.landing_check", "--landing", str(landing)]
    cmd += ["--project-dir", str(REPO), *extra]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=REPO)


def _one_file_per_table(landing: Path, skip: tuple[str, str] | None = None) -> None:
    """A header-only CSV or a 0-row Parquet file of the contract's columns for every landing table."""
    for (system, table), contract in load_contract(REPO).items():
        if (system, table) == skip:
            continue
        folder = landing / system / table / "dt=2025-04-20"
        folder.mkdir(parents=True)
        if contract.file_format == "csv":
            (folder / "part-20250420.csv").write_text(",".join(contract.columns) + "\n", encoding="utf-8")
        else:
            schema = pa.schema([(name, pa.string()) for name in contract.columns])
            # a 0-row file: every column is typed null-compatible for the check
            table_ = pa.Table.from_arrays([pa.array([], type=pa.null()) for _ in schema], names=schema.names)
            pq.write_table(table_, folder / "part-20250420.parquet")


def test_empty_landing_folder_is_an_error(tmp_path):
    landing = tmp_path / "landing"
    landing.mkdir()
    done = _preflight(landing)
    assert done.returncode == EXIT_EMPTY, done.stdout + done.stderr
    assert "holds no file" in done.stderr and str(landing) in done.stderr
    assert "OMNI_LANDING_PATH" in done.stderr
    assert "pos.transactions" in done.stderr


def test_table_without_files_is_an_error_naming_the_table(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing, skip=("crm", "consent_events"))
    done = _preflight(landing)
    assert done.returncode == EXIT_EMPTY, done.stdout + done.stderr
    errors = [line for line in done.stderr.splitlines() if "error" in line]
    assert len(errors) == 1, errors
    assert "crm.consent_events" in errors[0] and "consent_events/*/*.parquet" in errors[0]
    assert "OMNI_LANDING_PATH" in errors[0]


def test_table_whose_only_file_is_rejected_is_an_error(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    only = next((landing / "pos" / "transactions").rglob("*.csv"))
    only.write_bytes(b"")
    done = _preflight(landing)
    assert done.returncode == EXIT_EMPTY
    assert "rejected empty_file" in done.stdout
    assert "pos.transactions" in done.stderr
    # what was moved is still recorded
    manifest = pq.read_table(landing / "_rejected" / "manifest.parquet").to_pylist()
    assert [row["check_name"] for row in manifest] == ["empty_file"]


def test_complete_landing_passes(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    (landing / ".complete-tiny").write_text("")  # the tooling's marker is no stray file
    done = _preflight(landing)
    assert done.returncode == 0, done.stderr
    assert "0 rejected" in done.stdout and "outside_layout" not in done.stdout


def test_missing_landing_path_names_the_setting(tmp_path):
    missing = tmp_path / "nowhere"
    done = _preflight(missing)
    assert done.returncode == 2
    assert str(missing) in done.stderr and "OMNI_LANDING_PATH" in done.stderr
    assert "None" not in done.stderr


def test_duplicate_parquet_columns_are_rejected_not_fatal(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    contract = load_contract(REPO)[("ecommerce", "orders")]
    names = list(contract.columns) + ["payment_amount"]
    arrays = [pa.array(["x"]) for _ in names]
    bad = landing / "ecommerce" / "orders" / "dt=2025-04-20" / "part-20250420-dup.parquet"
    pq.write_table(pa.Table.from_arrays(arrays, names=names), bad)
    report = run(landing, REPO)
    found = [(f.file_path, f.check_name, f.action) for f in report.findings]
    expected = ("ecommerce/orders/dt=2025-04-20/part-20250420-dup.parquet", "duplicate_columns", "rejected")
    assert found == [expected]
    assert "payment_amount" in report.findings[0].detail
    assert not bad.exists() and not report.empty_tables


@pytest.mark.parametrize(
    "path",
    ["stray.csv", "pos/stray.csv", "loyalty/points/dt=2025-04-20/part.csv", "pos/transactions.csv"],
)
def test_files_outside_the_layout_are_listed(tmp_path, path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    stray = landing / path
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_text("a\n1\n", encoding="utf-8")
    report = run(landing, REPO)
    found = [(f.file_path, f.check_name, f.action) for f in report.findings]
    assert found == [(path, "outside_layout", "ignored")]
    assert stray.exists(), "a file outside the layout is listed, never moved"
