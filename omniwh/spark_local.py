"""Run the project on a local Spark session (dbt-spark `method: session`): a probe of the Spark promise.

One Python process creates the SparkSession (Hive metastore in Derby under /tmp, so the catalog survives
between runs), registers the keyed-hash UDF ``omni_keyed_hash`` in it, optionally registers the landing files
as source tables, then runs dbt in the same process through ``dbtRunner``. dbt-spark's session method calls
``SparkSession.builder.getOrCreate()`` and so reuses this session, UDF included.

    python -m omniwh.spark_local register-sources            # landing files -> <system>.<table>
    python -m omniwh.spark_local dbt run --target spark_local --select staging

Needs pyspark and dbt-spark[session] (not in requirements.txt: DuckDB is the default engine). Paths come
from OMNI_LANDING_PATH (landing root), OMNI_SPARK_WAREHOUSE_DIR and OMNI_SPARK_METASTORE_DIR (both under
/tmp by default), OMNI_SPARK_DRIVER_MEMORY (3g), OMNI_SPARK_MASTER (local[1]) and OMNI_SPARK_FILE_FORMAT
(parquet here; the project's default is delta).

Source registration (what dbt-duckdb does with meta.external_location): for every landing folder
``<system>/<table>/dt=YYYY-MM-DD/part-*.{csv,parquet}`` an external data-source table
``landing_files.<system>__<table>`` over the folder (partition column ``dt`` discovered from the paths, CSV
read with a header and every column as text, Parquet schemas merged by name), and a view
``<system>.<table>`` adding ``filename``, the file's local path as DuckDB's ``filename = true`` gives it.
The quarantine manifest ``landing.file_checks`` is a view over ``_rejected/manifest.parquet`` when it
exists, else an empty table of the manifest's columns.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sys
from pathlib import Path

HASH_KEY_ENV = "OMNI_HASH_KEY"
# Same public demo key as omniwh/duckdb_plugin.py (not imported: that module needs duckdb and dbt-duckdb).
DEMO_HASH_KEY = "omniwh-PUBLIC-DEMO-KEY-do-not-use-with-real-data"

MANIFEST_COLUMNS = (
    "check_id string, file_path string, rejected_path string, source_system string, source_table string, "
    "check_name string, action string, detail string, row_count bigint, file_bytes bigint, file_md5 string, "
    "detected_at timestamp"
)


def spark_session():
    from pyspark.sql import SparkSession

    warehouse = os.environ.get("OMNI_SPARK_WAREHOUSE_DIR", "/tmp/spark_warehouse")
    metastore = os.environ.get("OMNI_SPARK_METASTORE_DIR", "/tmp/spark_metastore")
    Path(metastore).mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master(os.environ.get("OMNI_SPARK_MASTER", "local[1]"))
        .appName("omniwh-spark-probe")
        .config("spark.driver.memory", os.environ.get("OMNI_SPARK_DRIVER_MEMORY", "3g"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.warehouse.dir", warehouse)
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={metastore}")
        .config(
            "spark.hadoop.javax.jdo.option.ConnectionURL",
            f"jdbc:derby:;databaseName={metastore}/metastore_db;create=true",
        )
        .config("spark.sql.session.timeZone", "UTC")
        # tiny data on one core: 200 shuffle partitions would be 200 tasks per exchange
        .config("spark.sql.shuffle.partitions", "1")
        .enableHiveSupport()
    )
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    register_udfs(spark)
    return spark


def register_udfs(spark) -> None:
    secret = os.environ.get(HASH_KEY_ENV, "")
    if not secret:
        print(f"WARNING: {HASH_KEY_ENV} unset, omni_keyed_hash uses the PUBLIC DEMO KEY", file=sys.stderr)
    # The key bytes, not a prepared HMAC object: the function is pickled to Spark's Python workers.
    key = (secret or DEMO_HASH_KEY).encode("utf-8")

    def omni_keyed_hash(value):
        if value is None:
            return None
        return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    spark.udf.register("omni_keyed_hash", omni_keyed_hash, "string")


def patch_session_bindings() -> None:
    """dbt-spark 1.11.0's session method inlines seed values as '<str(value)>' without escaping: a quote in a
    seed value breaks the INSERT (PARSE_SYNTAX_ERROR) and an empty cell is loaded as the text 'None'.
    The thrift/ODBC methods bind through their drivers and are not affected. Render proper SQL literals."""
    from dbt.adapters.spark import session

    fix_binding = session.SessionConnectionWrapper._fix_binding.__func__

    def literal(cls, value):
        if value is None:
            return "NULL"
        if isinstance(value, str):
            return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return fix_binding(cls, value)

    session.SessionConnectionWrapper._fix_binding = classmethod(literal)


def register_sources(spark, landing: Path) -> None:
    spark.sql("create database if not exists landing_files")
    for table_dir in sorted(
        p for p in landing.glob("*/*") if p.is_dir() and not p.parent.name.startswith("_")
    ):
        system, table = table_dir.parent.name, table_dir.name
        suffixes = {f.suffix for f in table_dir.glob("*/*")}
        if suffixes == {".csv"}:
            using, options = "csv", "header 'true', inferSchema 'false', encoding 'UTF-8', multiLine 'true'"
        elif suffixes == {".parquet"}:
            using, options = "parquet", "mergeSchema 'true'"
        else:
            print(f"skip {table_dir}: file types {suffixes}", file=sys.stderr)
            continue
        raw = f"landing_files.{system}__{table}"
        spark.sql(f"drop table if exists {raw}")
        spark.sql(f"create table {raw} using {using} options (path '{table_dir}', {options})")
        # the metastore registers `dt` as a partition column but no partition: add the dt= folders
        spark.sql(f"msck repair table {raw}")
        spark.sql(f"create database if not exists {system}")
        spark.sql(
            f"create or replace view {system}.{table} as "
            f"select *, regexp_replace(_metadata.file_path, '^file:(//)?', '') as filename from {raw}"
        )
        if os.environ.get("OMNI_SPARK_COUNT_SOURCES"):
            print(f"{system}.{table}: {spark.table(f'{system}.{table}').count()} rows", file=sys.stderr)
    spark.sql("create database if not exists landing")
    if spark.catalog.tableExists("landing.file_checks"):
        kind = spark.catalog.getTable("landing.file_checks").tableType
        spark.sql(f"drop {'view' if kind == 'VIEW' else 'table'} landing.file_checks")
    manifest = landing / "_rejected" / "manifest.parquet"
    if manifest.exists():
        spark.sql(f"create view landing.file_checks as select * from parquet.`{manifest}`")
    else:
        spark.sql(f"create table landing.file_checks ({MANIFEST_COLUMNS}) using parquet")


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"register-sources", "dbt", "sql"}:
        print(__doc__, file=sys.stderr)
        return 2
    spark = spark_session()
    try:
        if argv[0] == "register-sources":
            register_sources(spark, Path(os.environ.get("OMNI_LANDING_PATH", "data/landing")).resolve())
            return 0
        if argv[0] == "sql":
            for statement in argv[1:]:
                spark.sql(statement).show(50, truncate=False)
            return 0
        from dbt.cli.main import dbtRunner

        patch_session_bindings()
        # no Delta in a local session: plain Parquet tables (dbt_project.yml, +file_format)
        os.environ.setdefault("OMNI_SPARK_FILE_FORMAT", "parquet")

        result = dbtRunner().invoke(argv[1:])
        return 0 if result.success else 1
    finally:
        spark.stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
