"""Spark probe: compare every relation the Spark build wrote with the same relation of a DuckDB build.

    # 1. in the pyspark venv: every table/view of the seeds, staging, intermediate, marts schemas to Parquet
    python -m omniwh.spark_probe_compare export /tmp/spark_export
    # 2. in the project venv (DuckDB): row counts, EXCEPT ALL both ways, and per-column multiset differences
    python -m omniwh.spark_probe_compare compare /tmp/spark_export /tmp/spark_probe_duckdb.duckdb

Values are compared after casting to a common type per column: numbers as double rounded to 6 decimals,
timestamps as naive UTC timestamps, everything else as text. Both builds must use the same landing files and
the same OMNI_HASH_KEY.
"""

from __future__ import annotations

import sys
from pathlib import Path

SCHEMAS = ("seeds", "staging", "intermediate", "marts")


def export(out: Path) -> None:
    from omniwh.spark_local import spark_session

    spark = spark_session()
    spark.conf.set("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
    try:
        for schema in SCHEMAS:
            for table in spark.catalog.listTables(schema):
                name = f"{schema}.{table.name}"
                spark.table(name).write.mode("overwrite").parquet(str(out / name))
                print(f"exported {name}", file=sys.stderr)
    finally:
        spark.stop()


def _norm(column: str, duck_type: str) -> str:
    quoted = f'"{column}"'
    upper = duck_type.upper()
    if any(t in upper for t in ("INT", "DOUBLE", "FLOAT", "DECIMAL", "REAL", "NUMERIC")):
        return f"round(cast({quoted} as double), 6)"
    if "TIMESTAMP" in upper:
        return f"cast({quoted} as timestamp)"
    if upper == "BOOLEAN":
        return f"cast({quoted} as varchar)"
    return f"cast({quoted} as varchar)"


def compare(export_dir: Path, duckdb_path: str) -> None:
    import duckdb

    from omniwh.duckdb_plugin import register_udfs

    con = duckdb.connect(duckdb_path, read_only=True)
    register_udfs(con)
    con.execute("set TimeZone = 'UTC'")
    for folder in sorted(export_dir.iterdir()):
        schema, table = folder.name.split(".", 1)
        spark_rel = f"read_parquet('{folder}/*.parquet')"
        try:
            duck_cols = con.execute(f'describe "{schema}"."{table}"').fetchall()
        except duckdb.Error:
            print(f"{folder.name}: MISSING in DuckDB")
            continue
        spark_cols = {
            row[0].lower(): row[1] for row in con.execute(f"describe select * from {spark_rel}").fetchall()
        }
        duck = {row[0].lower(): row[1] for row in duck_cols}
        only_duck = sorted(set(duck) - set(spark_cols))
        only_spark = sorted(set(spark_cols) - set(duck))
        common = [c for c in duck if c in spark_cols]
        duck_sel = ", ".join(f'{_norm(c, duck[c])} as "{c}"' for c in common)
        spark_sel = ", ".join(f'{_norm(c, duck[c])} as "{c}"' for c in common)
        duck_q = f'select {duck_sel} from "{schema}"."{table}"'
        spark_q = f"select {spark_sel} from {spark_rel}"
        n_duck = con.execute(f"select count(*) from ({duck_q})").fetchall()[0][0]
        n_spark = con.execute(f"select count(*) from ({spark_q})").fetchall()[0][0]
        only_in_spark = con.execute(f"select count(*) from ({spark_q} except all {duck_q})").fetchall()[0][0]
        only_in_duck = con.execute(f"select count(*) from ({duck_q} except all {spark_q})").fetchall()[0][0]
        status = "SAME" if only_in_spark == only_in_duck == 0 and not only_duck and not only_spark else "DIFF"
        line = (
            f"{status} {folder.name}: rows duckdb={n_duck} spark={n_spark} "
            f"rows_only_spark={only_in_spark} rows_only_duckdb={only_in_duck}"
        )
        if only_duck or only_spark:
            line += f" cols_only_duckdb={only_duck} cols_only_spark={only_spark}"
        if status == "DIFF" and (only_in_spark or only_in_duck):
            differing = []
            for c in common:
                d = con.execute(
                    f'select count(*) from (select "{c}" from ({spark_q}) '
                    f'except all select "{c}" from ({duck_q}))'
                ).fetchall()[0][0]
                if d:
                    differing.append(f"{c}({d})")
            line += f" differing_columns={differing}"
        print(line, flush=True)


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "export":
        export(Path(sys.argv[2]))
    elif len(sys.argv) >= 4 and sys.argv[1] == "compare":
        compare(Path(sys.argv[2]), sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
