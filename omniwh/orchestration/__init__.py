"""Dagster orchestration of the warehouse (definitions.py): the daily job preflight -> dbt build -> GX checks
-> publish, its schedule and the landing-completeness sensor (landing.py).

Start the UI with `make dagster` (= `dagster dev -m omniwh.orchestration.definitions`); see README.md."""
