"""One phone rule in two implementations: the dbt macros (macros/phone/cn_mobile.sql, what staging stores) and
omniwh.erasure.normalise_phone (what the erasure tool hashes). Both must pass the same fixture table
(seeds/macro_fixtures/phone_cases.csv; the dbt side is
tests/macros/assert_cn_mobile_macros_match_fixtures.sql), agree with each other on phones damaged by
spreadsheets and exports, and agree with Google's libphonenumber
(PyPI `phonenumbers`, an independent implementation) on what a valid mainland mobile is.
"""

from __future__ import annotations

import csv
import json
import random
import shutil
import subprocess

import duckdb
import phonenumbers
import pytest
from warehouse_helpers import DBT, REPO, dbt_env

from omniwh.duckdb_plugin import register_udfs, resolve_hash_key
from omniwh.erasure import ErasureError, erasure_digest, normalise, normalise_phone

FIXTURES = REPO / "seeds" / "macro_fixtures" / "phone_cases.csv"
# the tokens of macros/testing/decode_fixture_text.sql
TOKENS = {
    "<tab>": "\t",
    "<nbsp>": "\u00a0",
    "<ideographic_space>": "\u3000",
    "<zwsp>": "\u200b",
    "<zwnj>": "\u200c",
    "<zwj>": "\u200d",
    "<wj>": "\u2060",
    "<bom>": "\ufeff",
    "<shy>": "\u00ad",
}


def _decode(text: str) -> str:
    for token, char in TOKENS.items():
        text = text.replace(token, char)
    return text.replace("<empty>", "")


def _cases() -> list[dict]:
    with FIXTURES.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["input"] != ""]


def _python(value: str) -> str | None:
    try:
        return normalise_phone(value)
    except ErasureError:
        return None


def _damaged(phone: str, rng: random.Random) -> list[str]:
    """The forms a spreadsheet or an export gives a mobile number, alone and combined with keyed formats."""
    invisible = rng.choice(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00a0", "\u3000"])
    cut = rng.randrange(1, 11)
    return [
        f"'{phone}",
        f"{phone}.0",
        f"{phone[0]}.{phone[1:]}E10",
        f"{phone[0]}.{phone[1:]}E+10",
        f"{phone[0]}.{phone[1:]}e+10",
        f"0{phone}",
        f"{phone[:cut]}{invisible}{phone[cut:]}",
        f"{invisible}'+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
        f"86{phone}.0",
        f"{phone[:3]}-{phone[3:7]}-{phone[7:]}{invisible}",
    ]


@pytest.mark.parametrize("case", _cases(), ids=lambda case: case["case_name"])
def test_python_rule_passes_the_fixture_table(case):
    assert _python(_decode(case["input"])) == (case["expected_normalised"] or None)


ACCEPTED = [case for case in _cases() if case["expected_normalised"]]


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case["case_name"])
def test_every_accepted_fixture_is_a_mobile_for_libphonenumber(case):
    number = phonenumbers.parse(case["expected_normalised"], "CN")
    assert phonenumbers.is_valid_number(number)
    assert phonenumbers.number_type(number) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def test_damaged_forms_of_libphonenumber_mobiles_come_back():
    rng = random.Random(12)
    checked = 0
    for _ in range(300):
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        number = phonenumbers.parse(phone, "CN")
        if not phonenumbers.is_valid_number(number) or len(set(phone[3:])) == 1:
            continue
        for form in _damaged(phone, rng):
            assert _python(form) == str(number.national_number), form
            checked += 1
    assert checked > 1000


def test_lost_precision_is_never_a_phone():
    for form in ("1.38123E+10", "1.381234567E10", "1.3812346E+10", "8.61381E+12"):
        assert _python(form) is None


@pytest.fixture(scope="module")
def compiled_macros(scratch_root):
    """The SQL the staging models run, compiled by dbt from the macros (no warehouse needed)."""
    root = scratch_root / "phone_macros"
    env = dbt_env(root, root / "landing", root / "unused.duckdb")
    # start from the project's own parse when a build left one (a cold parse takes a minute on a busy machine)
    parsed = REPO / "target" / "partial_parse.msgpack"
    if parsed.exists():
        (root / "target").mkdir(parents=True, exist_ok=True)
        shutil.copy(parsed, root / "target" / "partial_parse.msgpack")
    inline = (
        "select value, {{ normalize_cn_mobile('value') }} as normalised, "
        "{{ cn_mobile_issue('value') }} as issue, "
        "{{ erasure_hash(\"'phone'\", normalize_cn_mobile('value')) }} as erasure_hash from phone_forms"
    )
    done = subprocess.run(
        [DBT, "compile", "--quiet", "--output", "json", "--inline", inline, "--project-dir", str(REPO),
         "--profiles-dir", str(REPO)],
        env=env, capture_output=True, text=True, cwd=REPO,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    return json.loads(done.stdout[done.stdout.index("{") :])["compiled"]


def test_erasure_tool_finds_damaged_phones_exactly_as_staging_does(compiled_macros):
    rng = random.Random(7)
    forms = [_decode(case["input"]) for case in _cases()]
    for _ in range(200):
        forms += _damaged(f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}", rng)
    forms += [f"{phone[0]}.{phone[1:6]}E+10" for phone in forms[-50:] if phone.isdigit()]
    con = duckdb.connect()
    # one key for both sides: the public demo key (the suite's conftest sets a test OMNI_HASH_KEY)
    register_udfs(con, {})
    key, _ = resolve_hash_key({})
    con.execute("create table phone_forms (value varchar)")
    con.executemany("insert into phone_forms values (?)", [(form,) for form in forms])
    rows = con.execute(compiled_macros).fetchall()
    assert len(rows) == len(forms)
    found = 0
    for value, normalised, issue, staged_hash in rows:
        assert normalised == _python(value), repr(value)
        if normalised is not None:
            # the erasure tool, given the damaged text, lists the hash staging computes for the staged phone
            assert erasure_digest("phone", normalise("phone", value), key) == staged_hash, repr(value)
            found += 1
        if value.strip("".join(TOKENS.values()) + " ") != "":
            assert (normalised is None) == (issue is not None), repr(value)
    assert found > 1500
