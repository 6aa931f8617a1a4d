"""Shared fixtures: one `tiny` generation (seed 42) for the whole session, one built tiny warehouse
(`built_tiny`, copied by the tests that start from a built warehouse), and scratch folders.

Generated landing data are thousands of small files; they go to a memory file system (/dev/shm) when there is
one, because creating and deleting that many files on a busy shared disk costs more than generating them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from warehouse_helpers import REPO, BuiltWarehouse, run_dbt

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


@pytest.fixture(scope="session")
def built_tiny(tiny, scratch_root) -> BuiltWarehouse:
    """The session's tiny landing data, preflighted and built ONCE with `dbt build` (every seed, model,
    snapshot and data test; unit tests excluded, as the tests building their own warehouse do), under the
    public demo key (generator data) and with one DuckDB thread (float sums in a fixed order, so that two
    builds compare row for row).

    Read-only: a test that writes (dbt runs, erasure lists, landed files, edits) takes its own copy first,
    `built_tiny.copy_to(scratch / "wh")` (seconds; `landing=True` also copies the landing folder), and runs
    dbt with `copy.env()`. Tests in one xdist group with every other user of this fixture (see
    pytest_collection_modifyitems), so a parallel session builds it once.
    """
    root = scratch_root / "built_tiny"
    landing = root / "landing"
    shutil.copytree(tiny["landing"], landing)
    check = [sys.executable, "-m", "omniwh.landing_check", "--landing", str(landing), "--quiet"]
    done = subprocess.run(check + ["--project-dir", str(REPO)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    built = BuiltWarehouse(
        root=root, landing=landing, db=root / "warehouse.duckdb", target=root / "target", logs=root / "logs"
    )
    run_dbt(built.env(OMNI_DUCKDB_THREADS="1"), "build", "--exclude-resource-type", "unit_test")
    return built


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the node ids
def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`: `pytest -n 2 --dist loadgroup --no-loadscope-reorder`): one group per
    test module, so a module's fixtures are built on one worker only, and ONE group, run first, for every
    module with a test using `built_tiny`, so the session builds that warehouse once and its longest group
    does not start last. A new test gets this by naming the fixture; nothing else to do."""
    if not config.pluginmanager.hasplugin("xdist"):
        return

    def module(item) -> str:
        return item.nodeid.split("::")[0]

    shared = {module(item) for item in items if "built_tiny" in getattr(item, "fixturenames", ())}
    for item in items:
        item.add_marker(pytest.mark.xdist_group("built_tiny" if module(item) in shared else module(item)))
    items.sort(key=lambda item: module(item) not in shared)  # stable: modules stay whole and in order


def pytest_collection_finish(session):
    """On an xdist worker under --dist loadgroup, stop if the groups did not reach the scheduler: xdist
    appends `@group` to each grouped test's node id, and a pytest that ignores it (9.2 with xdist 3.8) would
    silently build every module's fixtures on every worker."""
    if not hasattr(session.config, "workerinput") or not session.config.getvalue("loadgroup"):
        return
    grouped = [item for item in session.items if item.get_closest_marker("xdist_group")]
    if grouped and not any("@" in item.nodeid for item in grouped):
        print(
            "pytest-xdist's loadgroup does not work with this pytest version: test modules would not stay on "
            "one worker and every module's fixtures would be built on each (requirements.txt pins the pytest "
            "it works with)",
            file=sys.stderr,
        )
        pytest.exit("pytest-xdist --dist loadgroup is not effective", returncode=4)
