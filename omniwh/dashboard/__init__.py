"""Operator dashboard (数字化大屏): static Chinese pages generated from the serving snapshot, charts by a
locally bundled ECharts. `python -m omniwh.dashboard build|serve`; see README.md, "Dashboard"."""
