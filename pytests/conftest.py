"""Shared fixtures: one `tiny` generation (seed 42) for the whole session, written to a temporary folder."""

from __future__ import annotations

import pytest

from omniwh.generator import generate

TINY_UNTIL = "2025-04-30"  # six months of loads keep the session fast; the truth covers the whole period


@pytest.fixture(scope="session")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    landing, truth = root / "landing", root / "truth"
    manifest = generate("tiny", 42, str(landing), str(truth), until=TINY_UNTIL, quiet=True)
    return {"landing": landing, "truth": truth, "manifest": manifest, "until": TINY_UNTIL}
