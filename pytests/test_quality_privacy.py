"""The data-quality runner never writes a clear personal value: a clear phone planted in
`marts.dim_members.phone_hash` makes the run fail, and the phone appears in no file under the output
folder (summary, GX suites, validation results, Data Docs) nor in what the runner prints.

Warehouse: the `warehouse` fixture of test_quality.py (OMNI_DUCKDB_PATH when it exists, else a tiny build).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from test_quality import warehouse  # noqa: F401 (module fixture reused)

from omniwh.quality import run as quality_run
from omniwh.quality.spec import SpecError, is_personal_column, load_file

CLEAR_PHONE = "13987654321"


@pytest.fixture(scope="module")
def leaked_copy(warehouse, tmp_path_factory) -> Path:  # noqa: F811
    copy = tmp_path_factory.mktemp("quality_privacy") / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    if Path(f"{warehouse}.wal").exists():
        shutil.copyfile(f"{warehouse}.wal", f"{copy}.wal")
    with duckdb.connect(str(copy)) as con:
        member = con.execute(
            "select min(member_id) from marts.dim_members where phone_hash is not null"
        ).fetchone()[0]
        assert member is not None, "the warehouse needs a member with a phone"
        assert (
            con.execute(
                "select count(*) from marts.dim_members where phone_hash = ?", [CLEAR_PHONE]
            ).fetchone()[0]
            == 0
        )
        con.execute(
            "update marts.dim_members set phone_hash = ? where member_id = ?", [CLEAR_PHONE, member]
        )
    return copy


def test_clear_phone_fails_the_run_and_is_written_nowhere(leaked_copy, tmp_path, capsys):
    out = tmp_path / "gx_out"
    code = quality_run.main(
        ["--duckdb", str(leaked_copy), "--out", str(out), "--suite", "marts.dim_members*"]
    )
    printed = capsys.readouterr()
    assert code == 1
    summary = json.loads((out / "checkpoint_result.json").read_text(encoding="utf-8"))
    suite = next(s for s in summary["suites"] if s["suite"] == "marts.dim_members")
    regex = next(
        e for e in suite["expectations"] if "column=phone_hash" in e["expectation"] and "regex" in e["type"]
    )
    assert regex["success"] is False and regex["unexpected_count"] == 1
    assert "phone_hash" in suite["personal_columns"]
    files = [p for p in out.rglob("*") if p.is_file()]
    assert any(p.suffix == ".html" for p in files), "Data Docs were not built"
    assert any("validations" in p.parts for p in files), "GX validation results were not stored"
    # the phone in any form a file could hold it: as text, and its 7-digit middle never without the mask
    for path in files:
        data = path.read_bytes()
        assert CLEAR_PHONE.encode() not in data, f"clear phone written to {path.relative_to(out)}"
    assert CLEAR_PHONE not in printed.out + printed.err


def test_mask_value_forms():
    assert quality_run.mask_value("13812345678") == "138****5678"
    assert quality_run.mask_value("oABCdef123") == "<redacted: 10 chars>"
    assert quality_run.mask_value(None) is None
    row = quality_run._mask_rows([{"member_id": "M1", "phone": "13812345678"}], {"phone"})
    assert row == [{"member_id": "M1", "phone": "138****5678"}]


def test_personal_column_rule_and_value_reporting_expectations(tmp_path):
    for name in (
        "phone",
        "member_phone",
        "masked_phone",
        "phone_hash",
        "openid",
        "buyer_key",
        "card_no",
        "external_userid",
        "nickname",
        "birthday",
        "member_name",
    ):
        assert is_personal_column(name), name
    for name in ("member_id", "store_phone", "has_phone", "store_id"):
        assert not is_personal_column(name), name
    spec = tmp_path / "t.yml"
    spec.write_text(
        "relation: marts.t\nkey: [id]\nsuites:\n  - derived:\n      phone_prefix: substr(phone, 1, 3)\n"
        "    pii_columns: [contact]\n    columns:\n"
        "      phone_prefix: [not_null]\n      contact: [not_null]\n"
    )
    (suite,) = load_file(spec)
    assert suite.personal_columns() == {"phone_prefix", "contact"}
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "relation: marts.t\nkey: [id]\nsuites:\n  - expectations:\n"
        "      - expect_column_distinct_values_to_equal_set: {column: openid, value_set: [a]}\n"
    )
    with pytest.raises(SpecError, match="personal data"):
        load_file(bad)
