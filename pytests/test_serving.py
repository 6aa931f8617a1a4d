"""Serving snapshot (omniwh/serving.py) on a small hand-made warehouse: what is copied, what is left out, the
metadata row, the storage format, and that a failed publish leaves the previous snapshot byte-identical
while a reader that holds it open keeps reading it.

The end-to-end properties on a real dbt build (a build while a reader holds the snapshot, a failed build, a
DuckDB 1.x client) are in test_serving_build.py.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from omniwh import serving


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _make_warehouse(root: Path, net_sales: str = "12.34") -> tuple[Path, Path]:
    """A warehouse shaped like dbt's (catalog 'warehouse'), with a mart view over an intermediate table."""
    db = root / "warehouse.duckdb"
    db.unlink(missing_ok=True)
    con = duckdb.connect(str(db))
    con.execute("create schema marts; create schema intermediate; create schema staging")
    con.execute(
        "create table intermediate.int_orders_resolved as"
        f" select 'O1' as order_id, cast({net_sales} as decimal(18, 2)) as net_sales_amount"
    )
    con.execute('create view marts.fct_orders as select * from "warehouse".intermediate.int_orders_resolved')
    con.execute("create table marts.dim_stores as select 'S001' as store_id, 'Shanghai' as city")
    con.execute("create table staging.base_secret as select '13800138000' as phone")
    con.execute(
        "create table intermediate.int_rows_quarantined as select 'q1' as quarantined_row_id,"
        " 'pos.transactions' as source_table, '13800138000' as natural_key,"
        " 'missing_key' as quarantine_reason,"
        ' \'{"phone": "13800138000"}\' as raw_record'
    )
    con.execute("create table intermediate.int_files_quarantined as select 'f1' as file_check_id")
    con.execute(
        "create table intermediate.int_references_checked as select 'r1' as reference_check_id,"
        " '13800138000' as natural_key"
    )
    con.execute(
        "create table intermediate.int_metric_months_spined as"
        " select date '2025-10-31' as as_of_date union all select date '2025-10-31'"
    )
    con.close()
    manifest = root / "manifest.json"
    pii = {"meta": {"pii": True}, "tags": ["pii"]}
    nodes = {
        "model.p.int_rows_quarantined": {
            "resource_type": "model",
            "name": "int_rows_quarantined",
            "columns": {"natural_key": pii, "raw_record": {"meta": {"pii": True}}, "source_table": {}},
        },
        "model.p.int_references_checked": {
            "resource_type": "model",
            "name": "int_references_checked",
            "columns": {"natural_key": {"tags": ["pii"]}},
        },
    }
    manifest.write_text(json.dumps({"nodes": nodes}), encoding="utf-8")
    return db, manifest


def _rows(path: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_publish_copies_marts_and_served_tables_without_personal_columns(scratch):
    warehouse, manifest = _make_warehouse(scratch)
    snap_path = scratch / "out" / "serving.duckdb"
    built = dt.datetime(2026, 1, 2, 3, 4, 5)
    snap = serving.publish(
        warehouse, snap_path, run_id="run-1", manifest=manifest, built_at=built, commit="abc"
    )

    assert snap.path == snap_path
    tables = _rows(
        snap_path,
        "select table_schema || '.' || table_name, table_type from information_schema.tables order by 1",
    )
    assert tables == [
        ("intermediate.int_files_quarantined", "BASE TABLE"),
        ("intermediate.int_references_checked", "BASE TABLE"),
        ("intermediate.int_rows_quarantined", "BASE TABLE"),
        ("marts.dim_stores", "BASE TABLE"),
        ("marts.fct_orders", "BASE TABLE"),  # the view became a table: the snapshot stands alone
        ("serving_meta.snapshot_info", "BASE TABLE"),
    ]
    assert _rows(snap_path, "select order_id, net_sales_amount from marts.fct_orders") == [
        ("O1", Decimal("12.34"))
    ]
    assert _rows(snap_path, "select typeof(net_sales_amount) from marts.fct_orders") == [("DECIMAL(18,2)",)]
    columns = _rows(
        snap_path,
        "select table_name, column_name from information_schema.columns"
        " where table_schema = 'intermediate' order by 1, ordinal_position",
    )
    assert columns == [
        ("int_files_quarantined", "file_check_id"),
        ("int_references_checked", "reference_check_id"),
        ("int_rows_quarantined", "quarantined_row_id"),
        ("int_rows_quarantined", "source_table"),
        ("int_rows_quarantined", "quarantine_reason"),
    ]
    assert b"13800138000" not in snap_path.read_bytes()
    assert _rows(snap_path, "select * from serving_meta.snapshot_info") == [
        ("run-1", dt.date(2025, 10, 31), built, "abc")
    ]
    # storage format 64 = readable by DuckDB 1.0 and later (the warehouse itself is in DuckDB 2.0's format)
    header = snap_path.read_bytes()[:64]
    assert header[8:12] == b"DUCK" and int.from_bytes(header[12:20], "little") == 64
    assert [p.name for p in snap_path.parent.iterdir()] == ["serving.duckdb"]  # no temporary file left


def test_publish_writes_the_activation_masks_to_a_private_contacts_snapshot(scratch, monkeypatch):
    """Masks of the listed members only, mode 0600, same run as the BI snapshot, which carries none."""
    monkeypatch.delenv("OMNI_CONTACTS_PATH", raising=False)
    warehouse, manifest = _make_warehouse(scratch)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create table marts.fct_member_activations as select 'M1' as member_id, 'SMS' as channel")
        con.execute(
            "create table intermediate.int_member_contacts_resolved as select * from (values"
            " ('M1', '138****0001', 'h1', cast(null as varchar), '13800000001'),"
            " ('M2', '139****0002', 'h2', cast(null as varchar), '13900000002'))"
            " as t(member_id, masked_phone, phone_hash, exclusion_reason, phone)"
        )
    snap_path = scratch / "out" / "serving.duckdb"
    serving.publish(warehouse, snap_path, run_id="run-7", manifest=manifest, commit="abc")

    contacts = scratch / "out" / "serving.contacts.duckdb"
    assert serving.contacts_path(snap_path) == contacts
    assert contacts.stat().st_mode & 0o777 == 0o600
    assert _rows(contacts, "select * from intermediate.int_member_contacts_resolved") == [
        ("M1", "138****0001", None)
    ]
    assert _rows(contacts, "select run_id from serving_meta.snapshot_info") == [("run-7",)]
    assert b"13800000001" not in contacts.read_bytes()
    bi_columns = {name for (name,) in _rows(snap_path, "select column_name from information_schema.columns")}
    assert "masked_phone" not in bi_columns and "phone" not in bi_columns
    assert sorted(p.name for p in snap_path.parent.iterdir()) == ["serving.contacts.duckdb", "serving.duckdb"]


def test_failed_publish_keeps_previous_snapshot_and_open_reader(scratch):
    warehouse, manifest = _make_warehouse(scratch)
    snap_path = scratch / "serving.duckdb"
    serving.publish(warehouse, snap_path, run_id="old", manifest=manifest, commit="c1")
    before = _sha256(snap_path)

    reader = duckdb.connect(str(snap_path), read_only=True)
    try:
        # a publish that fails half-way (an intermediate table the snapshot serves is missing)
        con = duckdb.connect(str(warehouse))
        con.execute("drop table intermediate.int_files_quarantined")
        con.close()
        with pytest.raises(serving.PublishError, match="int_files_quarantined"):
            serving.publish(warehouse, snap_path, run_id="broken", manifest=manifest, commit="c2")
        # no manifest = no knowledge of personal columns: refuse rather than copy them
        with pytest.raises(serving.PublishError, match="manifest"):
            serving.publish(warehouse, snap_path, run_id="broken", manifest=scratch / "nope.json")
        assert _sha256(snap_path) == before
        assert sorted(p.name for p in scratch.iterdir() if p.name.endswith((".tmp", ".wal"))) == []

        # a successful publish while the reader holds the old file: the reader keeps its snapshot
        warehouse, manifest = _make_warehouse(scratch, net_sales="99.99")
        serving.publish(warehouse, snap_path, run_id="new", manifest=manifest, commit="c3")
        assert reader.execute("select run_id from serving_meta.snapshot_info").fetchall() == [("old",)]
        assert reader.execute("select net_sales_amount from marts.fct_orders").fetchall() == [
            (Decimal("12.34"),)
        ]
    finally:
        reader.close()
    assert _rows(snap_path, "select run_id from serving_meta.snapshot_info") == [("new",)]
    assert serving.snapshot_info(snap_path)["git_commit"] == "c3"


def test_serving_path_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("OMNI_SERVING_PATH", raising=False)
    assert serving.serving_path() == serving.REPO / "data" / "serving.duckdb"
    monkeypatch.setenv("OMNI_SERVING_PATH", str(tmp_path / "s.duckdb"))
    assert serving.serving_path() == tmp_path / "s.duckdb"
