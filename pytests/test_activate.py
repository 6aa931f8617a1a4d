"""`omniwh activate`: per-channel lists and manifest from the serving snapshot (or the warehouse), with the
masked phone read from the contacts snapshot of the same run (never from the BI snapshot), no clear
identifier, refusal of a date the snapshot is not built for or of contacts from another run, excluded
members withheld. Runs on small hand-made DuckDB files."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb
import pytest

from omniwh import activate

HASH = "ab" * 32

ROWS = [
    # member, trigger, channel, masked phone
    ("M1", "journey_day_3", "WECOM", "138****0001"),
    ("M1", "entering_at_risk", "WECOM", "138****0001"),
    ("M2", "journey_day_7", "MINIPROGRAM", "139****0002"),
    ("M3", "dormant_win_back", "SMS", "137****0003"),
]


def _contacts(path: Path, run_id: str = "run-1", rows=ROWS, excluded=()) -> Path:
    """The contacts snapshot as `omniwh.serving publish` writes it: the list's masks, the run's metadata."""
    with duckdb.connect(str(path)) as con:
        _contacts_relation(con, rows, excluded)
        con.execute("create schema serving_meta")
        con.execute(
            "create table serving_meta.snapshot_info as select ? as run_id, date '2026-06-30' as as_of_date, "
            "timestamp '2026-06-30 02:05:00' as built_at, 'abc' as git_commit", [run_id]
        )
    return path


def _contacts_relation(con, rows, excluded) -> None:
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_member_contacts_resolved (member_id varchar, "
        "masked_phone varchar, phone_hash varchar, exclusion_reason varchar)"
    )
    for member, phone in sorted({(member, phone) for member, _, _, phone in rows}):
        con.execute(
            "insert into intermediate.int_member_contacts_resolved values (?, ?, ?, ?)",
            [member, phone, HASH, "erased" if member in excluded else None],
        )


def _database(path: Path, as_of: str, rows=ROWS, snapshot: bool = False, excluded=()) -> Path:
    """A BI snapshot (no masked phone, as published) or a warehouse (with the contacts relation)."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute(
            "create table marts.fct_member_activations (activation_date date, member_id varchar, "
            "trigger_code varchar, trigger_anchor varchar, channel varchar, guide_staff_id varchar, "
            "store_id varchar, store_source varchar, phone_hash varchar, consent_checked_at timestamp)"
        )
        for member, trigger, channel, _ in rows:
            con.execute(
                "insert into marts.fct_member_activations values "
                "(?, ?, ?, 'x', ?, 'G1', 'S1', 'guide_store', ?, timestamp '2026-06-30 02:00:00')",
                [as_of, member, trigger, channel, HASH],
            )
        con.execute("create table marts.fct_member_clv as select date '" + as_of + "' as as_of_date")
        if snapshot:
            con.execute("create schema serving_meta")
            con.execute(
                "create table serving_meta.snapshot_info as select 'run-1' as run_id, date '" + as_of
                + "' as as_of_date, timestamp '2026-06-30 02:05:00' as built_at, 'abc' as git_commit"
            )
        else:
            _contacts_relation(con, rows, excluded)
    return path


@pytest.fixture
def paths(tmp_path, monkeypatch):
    serving, warehouse = tmp_path / "serving.duckdb", tmp_path / "warehouse.duckdb"
    contacts = tmp_path / "contacts.duckdb"
    monkeypatch.setenv("OMNI_SERVING_PATH", str(serving))
    monkeypatch.setenv("OMNI_DUCKDB_PATH", str(warehouse))
    monkeypatch.setenv("OMNI_CONTACTS_PATH", str(contacts))
    monkeypatch.setattr(activate, "_serving_path", lambda: serving)
    monkeypatch.setattr(activate, "_contacts_path", lambda: contacts)
    return serving, contacts, tmp_path / "out"


def test_lists_per_channel_and_manifest_from_the_snapshot(paths):
    serving, contacts, out = paths
    _database(serving, "2026-06-30", snapshot=True)
    _contacts(contacts)  # the masked phones: from the contacts snapshot, never from the BI snapshot
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 0
    manifest = json.loads((out / "activation_2026-06-30_manifest.json").read_text())
    assert manifest["source"] == "serving_snapshot" and manifest["snapshot"]["run_id"] == "run-1"
    assert manifest["masked_phones_from"] == str(contacts)
    assert manifest["rows"] == 4 and manifest["members"] == 3 and manifest["rows_withheld"] == 0
    assert manifest["rows_by_channel"] == {"WECOM": 2, "MINIPROGRAM": 1, "SMS": 1}
    assert manifest["rows_by_channel_and_trigger"]["WECOM"] == {"entering_at_risk": 1, "journey_day_3": 1}
    with open(out / "activation_2026-06-30_wecom.csv") as handle:
        wecom = list(csv.DictReader(handle))
    assert [(row["member_id"], row["trigger_code"]) for row in wecom] == [
        ("M1", "entering_at_risk"), ("M1", "journey_day_3")]
    assert set(wecom[0]) == set(activate.EXPORT_COLUMNS)
    assert [row["masked_phone"] for row in wecom] == ["138****0001", "138****0001"]
    parquet = duckdb.sql(f"select * from '{out / 'activation_2026-06-30_sms.parquet'}'").fetchall()
    assert len(parquet) == 1 and parquet[0][1] == "M3"
    for name, digest in manifest["files"].items():
        assert activate._sha256(out / name) == digest
    # nothing in the export looks like a clear mainland mobile number
    for path in out.glob("*.csv"):
        assert not __import__("re").search(r"(?<!\d)1[3-9]\d{9}(?!\d)", path.read_text())


def test_falls_back_to_the_warehouse(paths, tmp_path):
    serving, contacts, out = paths
    warehouse = tmp_path / "warehouse.duckdb"
    _database(warehouse, "2026-06-30")
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 0
    manifest = json.loads((out / "activation_2026-06-30_manifest.json").read_text())
    assert manifest["source"] == "warehouse" and manifest["rows"] == 4


def test_refuses_a_date_the_snapshot_is_not_built_for(paths, capsys):
    serving, contacts, out = paths
    _database(serving, "2026-06-30", snapshot=True)
    assert activate.main(["--date", "2026-07-01", "--out", str(out)]) == 2
    assert "as of 2026-06-30" in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_refuses_to_export_a_clear_phone(paths, capsys):
    serving, contacts, out = paths
    rows = [("M9", "journey_day_3", "SMS", "13800000009")]
    _database(serving, "2026-06-30", rows=rows, snapshot=True)
    _contacts(contacts, rows=rows)
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 2
    assert "not a mask" in capsys.readouterr().err
    assert not list(out.glob("activation_*"))


def test_a_member_the_contacts_hold_as_excluded_is_withheld(paths):
    """A listed member whose contact is held as excluded (erased, staff/test): not exported, and counted."""
    serving, contacts, out = paths
    _database(serving, "2026-06-30", snapshot=True)
    _contacts(contacts, excluded={"M1"})
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 0
    manifest = json.loads((out / "activation_2026-06-30_manifest.json").read_text())
    assert manifest["rows"] == 2 and manifest["rows_withheld"] == 2 and manifest["members"] == 2
    assert manifest["rows_by_channel"] == {"WECOM": 0, "MINIPROGRAM": 1, "SMS": 1}
    assert "M1" not in (out / "activation_2026-06-30_wecom.csv").read_text()


def test_refuses_masks_from_another_run(paths, capsys):
    serving, contacts, out = paths
    _database(serving, "2026-06-30", snapshot=True)
    _contacts(contacts, run_id="run-2")  # e.g. a publish that replaced one file and then failed
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 2
    assert "run-2" in capsys.readouterr().err and not list(out.glob("activation_*"))


def test_the_snapshot_alone_carries_no_masked_phone(paths):
    """The BI snapshot has no mask anywhere: the export reads it from the contacts snapshot only."""
    serving, contacts, out = paths
    _database(serving, "2026-06-30", snapshot=True)
    with duckdb.connect(str(serving), read_only=True) as con:
        columns = {name for (name,) in con.execute("select column_name from information_schema.columns")
                   .fetchall()}
    assert "masked_phone" not in columns
    assert activate.main(["--date", "2026-06-30", "--out", str(out)]) == 2  # no contacts: no masks, no lists
