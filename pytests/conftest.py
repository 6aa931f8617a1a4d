"""Shared fixtures: one `tiny` generation (seed 42) for the whole session, and scratch folders.

Generated landing data are thousands of small files; they go to a memory file system (/dev/shm) when there is
one, because creating and deleting that many files on a busy shared disk costs more than generating them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from omniwh.generator import generate

# Tests that land files of their own (bad-input fixtures, re-deliveries) build on data the generator did not
# write, which the build refuses under the public demo key (macros/hashing/hash_key_guard.sql): the session
# runs with a test key unless one is set. Tests that want the demo key remove it from their dbt environment
# and pass an empty environment to register_udfs()/resolve_hash_key().
os.environ.setdefault("OMNI_HASH_KEY", "omniwh-pytest-session-key-not-secret")

TINY_UNTIL = "2025-04-30"  # six months of loads keep the session fast; the truth covers the whole period


@pytest.fixture(scope="session")
def scratch_root(tmp_path_factory):
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK):
        root = Path(tempfile.mkdtemp(prefix="omniwh-tests-", dir=shm))
        yield root
        shutil.rmtree(root, ignore_errors=True)
    else:
        yield tmp_path_factory.mktemp("scratch")


@pytest.fixture
def scratch(scratch_root, request):
    """A fresh folder for one test, removed afterwards."""
    path = Path(tempfile.mkdtemp(prefix=request.node.name[:40] + "-", dir=scratch_root))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def tiny(scratch_root):
    root = scratch_root / "tiny"
    landing, truth = root / "landing", root / "truth"
    manifest = generate("tiny", 42, str(landing), str(truth), until=TINY_UNTIL, quiet=True)
    return {"landing": landing, "truth": truth, "manifest": manifest, "until": TINY_UNTIL}
