"""The daily preflight reads only files it has not checked before (issue 18; no dbt, about a second).

A first run checks every file and records those that passed in the checked-files index; a second run on
the same landing reads none of them (the check functions are not called at all); a new file, a file re-sent
under the same name with other content (size or mtime changed) and a rejected file that is fixed and put back
are each checked again; a stray file is listed once; --recheck-all reads everything.
"""

from __future__ import annotations

import os
from pathlib import Path

import pyarrow.parquet as pq
from test_landing_check import _one_file_per_table

from omniwh import landing_check

REPO = Path(__file__).resolve().parents[1]


def _counting(monkeypatch) -> list[str]:
    """Record every file the per-file check opens."""
    opened: list[str] = []
    real = landing_check._check_file

    def spy(landing, table_dir, path, *args, **kwargs):
        opened.append(path.relative_to(landing).as_posix())
        return real(landing, table_dir, path, *args, **kwargs)

    monkeypatch.setattr(landing_check, "_check_file", spy)
    return opened


def _indexed(landing: Path) -> set[str]:
    return {row["file_path"] for row in pq.read_table(landing / "_rejected" / "checked.parquet").to_pylist()}


def _orders_file(landing: Path, name: str = "part-20250420.csv") -> Path:
    return landing / "pos" / "transactions" / "dt=2025-04-20" / name


def test_second_run_reads_nothing_and_new_or_changed_files_are_checked(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    total = sum(1 for p in landing.rglob("*") if p.is_file())
    opened = _counting(monkeypatch)

    first = landing_check.run(landing, REPO)
    assert (first.files_checked, first.files_skipped) == (total, 0)
    assert len(opened) == total
    index = pq.read_table(landing / "_rejected" / landing_check.INDEX_NAME).to_pylist()
    assert len(index) == total and all(len(row["file_md5"]) == 32 for row in index)

    opened.clear()
    second = landing_check.run(landing, REPO)
    assert (second.files_checked, second.files_skipped, opened) == (0, total, [])
    assert second.empty_tables == [] and second.new_manifest_rows == 0

    # a new file of the day, and yesterday's file re-sent under its name with one more row
    header = _orders_file(landing).read_text(encoding="utf-8")
    new = _orders_file(landing, "part-20250421.csv")
    new.write_text(header, encoding="utf-8")
    changed = _orders_file(landing)
    changed.write_text(header + ",".join("1" for _ in header.split(",")) + "\n", encoding="utf-8")
    opened.clear()
    third = landing_check.run(landing, REPO)
    assert sorted(opened) == sorted(p.relative_to(landing).as_posix() for p in (new, changed))
    assert (third.files_checked, third.files_skipped) == (2, total - 1)

    # same size, another mtime (re-sent with the same bytes count): checked again
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    opened.clear()
    landing_check.run(landing, REPO)
    assert opened == [changed.relative_to(landing).as_posix()]

    opened.clear()
    landing_check.run(landing, REPO, recheck_all=True)
    assert len(opened) == total + 1


def test_rejected_file_is_not_indexed_and_a_fixed_copy_is_checked_afresh(tmp_path, monkeypatch):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    good = _orders_file(landing)
    header = good.read_bytes()
    bad = _orders_file(landing, "part-20250421.csv")
    bad.write_bytes(b"")
    first = landing_check.run(landing, REPO)
    assert [(f.file_path, f.check_name) for f in first.rejected] == [
        (bad.relative_to(landing).as_posix(), "empty_file")
    ]
    indexed = _indexed(landing)
    assert bad.relative_to(landing).as_posix() not in indexed

    bad.write_bytes(header)  # fixed and put back under its original path
    opened = _counting(monkeypatch)
    second = landing_check.run(landing, REPO)
    assert opened == [bad.relative_to(landing).as_posix()]
    assert second.rejected == []


def test_stray_file_is_listed_once_and_a_vanished_file_leaves_the_index(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    stray = landing / "stray.csv"
    stray.write_text("a\n1\n", encoding="utf-8")
    first = landing_check.run(landing, REPO)
    assert [f.check_name for f in first.findings] == ["outside_layout"]
    second = landing_check.run(landing, REPO)
    assert second.findings == [] and second.files_checked == 0

    stray.unlink()
    landing_check.run(landing, REPO)
    indexed = _indexed(landing)
    assert "stray.csv" not in indexed
    manifest = pq.read_table(landing / "_rejected" / "manifest.parquet").to_pylist()
    assert [row["check_name"] for row in manifest] == ["outside_layout"]


def test_dry_run_writes_no_index(tmp_path):
    landing = tmp_path / "landing"
    _one_file_per_table(landing)
    landing_check.run(landing, REPO, dry_run=True)
    assert not (landing / "_rejected" / "checked.parquet").exists()
