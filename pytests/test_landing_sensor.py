"""When a load date counts as complete (omniwh/orchestration/landing.py) and what the Dagster sensor and
schedule do with it, on hand-made landing folders (no dbt run)."""

import datetime as dt

import dagster as dg
import pytest

from omniwh.orchestration import landing


def _deliver(root, table: str, day: str, content: bytes = b"x") -> None:
    system, name = table.split(".")
    folder = root / system / name / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"part-{day.replace('-', '')}.parquet").write_bytes(content)


def test_a_day_is_complete_when_every_daily_feed_delivered_a_non_empty_file(tmp_path):
    tables = ("pos.transactions", "pos.transaction_lines")
    assert landing.latest_complete_load_date(tmp_path, tables) is None
    _deliver(tmp_path, "pos.transactions", "2026-10-30")
    _deliver(tmp_path, "pos.transaction_lines", "2026-10-30")
    _deliver(tmp_path, "pos.transactions", "2026-10-31")  # lines of the 31st not there yet
    _deliver(tmp_path, "pos.transaction_lines", "2026-11-01", b"")  # an empty file is no delivery
    _deliver(tmp_path, "pos.transactions", "2026-11-01")
    (tmp_path / "pos" / "transactions" / "dt=2026-13-01").mkdir()  # not a date: ignored
    assert landing.complete_load_dates(tmp_path, tables) == [dt.date(2026, 10, 30)]
    _deliver(tmp_path, "pos.transaction_lines", "2026-10-31")
    assert landing.latest_complete_load_date(tmp_path, tables) == dt.date(2026, 10, 31)


def test_daily_tables_from_environment(monkeypatch):
    monkeypatch.delenv("OMNI_LANDING_DAILY_TABLES", raising=False)
    assert landing.daily_tables() == landing.DEFAULT_DAILY_TABLES
    monkeypatch.setenv("OMNI_LANDING_DAILY_TABLES", " crm.points_ledger , pos.transactions ")
    assert landing.daily_tables() == ("crm.points_ledger", "pos.transactions")


@pytest.fixture(scope="module")
def definitions():
    from omniwh.orchestration import definitions

    return definitions


def test_sensor_requests_one_run_per_new_complete_day(definitions, tmp_path, monkeypatch):
    monkeypatch.setenv("OMNI_LANDING_PATH", str(tmp_path))
    monkeypatch.delenv("OMNI_LANDING_DAILY_TABLES", raising=False)
    sensor = definitions.landing_complete_sensor

    skipped = sensor(dg.build_sensor_context())
    assert isinstance(skipped, dg.SkipReason)
    for table in landing.DEFAULT_DAILY_TABLES:
        _deliver(tmp_path, table, "2026-10-31")
    context = dg.build_sensor_context()
    request = sensor(context)
    assert isinstance(request, dg.RunRequest)
    assert request.run_key == "landing-2026-10-31"
    assert request.tags["omniwh/load_date"] == "2026-10-31"
    assert context.cursor == "2026-10-31"
    assert isinstance(sensor(dg.build_sensor_context(cursor="2026-10-31")), dg.SkipReason)


def test_schedule_time_and_zone(definitions, monkeypatch):
    schedule = definitions.daily_schedule
    assert schedule.job_name == definitions.JOB_NAME
    assert schedule.cron_schedule == definitions._schedule_cron()
    zone = definitions.os.environ.get("OMNI_SCHEDULE_TIMEZONE", "Asia/Shanghai")
    assert schedule.execution_timezone == zone
    monkeypatch.delenv("OMNI_SCHEDULE_TIME", raising=False)
    assert definitions._schedule_cron() == "30 6 * * *"  # 06:30, after the night's extracts
    monkeypatch.setenv("OMNI_SCHEDULE_TIME", "23:05")
    assert definitions._schedule_cron() == "5 23 * * *"
    monkeypatch.setenv("OMNI_SCHEDULE_TIME", "25:00")
    with pytest.raises(ValueError, match="HH:MM"):
        definitions._schedule_cron()
