"""Great Expectations data-quality suites over the built warehouse.

The suites are declared in YAML under ``expectations/`` (one file per relation; format in
``expectations/README.md``). ``python -m omniwh.quality.run --duckdb PATH`` reads each relation through DuckDB
into pandas (GX's SQL datasource does not work on DuckDB), validates it with GX's pandas datasource, writes a
JSON summary and Data Docs under ``gx_out/`` and exits non-zero when any expectation fails.

Modules: ``spec`` (YAML -> suite specs), ``frames`` (the DuckDB side: SQL per suite, chunking, sampling),
``expectations`` (shorthand -> GX expectation objects), ``run`` (the command).
"""

import os

# No usage statistics leave the machine, whichever module of this package imports GX first.
os.environ["GX_ANALYTICS_ENABLED"] = "false"
