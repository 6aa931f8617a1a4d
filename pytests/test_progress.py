"""omniwh/progress.py: the bars never change what the wrapped code returns, restore what they wrap, and read
dbt's node counter from its log; they stay off unless stderr is a terminal or OMNI_PROGRESS=1."""

import subprocess
import sys
import types

from omniwh import progress


def test_count_calls_wraps_and_restores(monkeypatch):
    monkeypatch.setenv("OMNI_PROGRESS", "1")
    module = types.SimpleNamespace(work=lambda x: x * 2)
    original = module.work
    seen = []
    with progress.count_calls(module, "work", "test", total=3):
        assert module.work is not original
        seen = [module.work(i) for i in range(3)]
    assert seen == [0, 2, 4]
    assert module.work is original


def test_off_without_terminal(monkeypatch):
    monkeypatch.delenv("OMNI_PROGRESS", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not progress.enabled()
    monkeypatch.setenv("OMNI_PROGRESS", "1")
    assert progress.enabled()
    monkeypatch.setenv("OMNI_PROGRESS", "0")
    assert not progress.enabled()


def test_wait_returns_exit_code_and_reads_dbt_nodes(monkeypatch, tmp_path):
    monkeypatch.setenv("OMNI_PROGRESS", "1")
    log = tmp_path / "step.log"
    log.write_text(
        "12:00:01  1 of 3 START sql table model a [RUN]\n"
        "12:00:02  1 of 3 OK created sql table model a [OK in 0.1s]\n"
        "12:00:03  2 of 3 PASS not_null_a_id [PASS in 0.1s]\n"
        "12:00:04  3 of 3 START test x",
        encoding="utf-8",
    )
    offset, nodes = progress._dbt_nodes(log, 0)
    assert nodes == (2, 3)  # the unfinished last line is left for the next read
    assert offset == log.read_bytes().rfind(b"\n") + 1
    proc = subprocess.Popen([sys.executable, "-c", "import sys, time; time.sleep(0.3); sys.exit(3)"])
    assert progress.wait(proc, "test", log, poll=0.1) == 3
