"""Benchmark of the landing-data generator: wall time, peak RSS and rows per table.

    python -m omniwh.bench_generate --scale bench [--seed 42] [--out bench_out/landing]

Runs `omniwh generate` in a child process and samples its memory (psutil, the child and its children)
every 0.2 s. A printed benchmark, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import psutil


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", default="bench100k")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="bench_out", help="folder for landing/ and truth/ (deleted first)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args(argv)
    landing = os.path.join(args.out, "landing")
    truth = os.path.join(args.out, "truth")
    shutil.rmtree(args.out, ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "omniwh.cli",
        "generate",
        "--scale",
        args.scale,
        "--seed",
        str(args.seed),
        "--landing",
        landing,
        "--truth",
        truth,
    ]
    t0 = time.time()
    proc = subprocess.Popen(cmd)
    ps = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            rss = ps.memory_info().rss + sum(c.memory_info().rss for c in ps.children(recursive=True))
            peak = max(peak, rss)
        except psutil.Error:
            pass
        time.sleep(0.2)
    wall = time.time() - t0
    if proc.returncode != 0:
        print(f"generation failed with exit code {proc.returncode}", file=sys.stderr)
        return proc.returncode
    with open(os.path.join(truth, "manifest.json"), encoding="utf-8") as fh:
        manifest = json.load(fh)
    total_rows = sum(v["rows"] for v in manifest["landing"].values())
    total_files = sum(v["files"] for v in manifest["landing"].values())
    size = sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(landing) for f in fs)
    print(f"scale            {args.scale} ({manifest['people']:,} people, {manifest['stores']} stores)")
    print(f"wall time        {wall:,.1f} s")
    print(f"peak RSS         {peak / 2**30:,.2f} GiB")
    print(f"rows written     {total_rows:,} in {total_files:,} files, {size / 2**20:,.0f} MiB")
    print("rows per table:")
    for name, v in manifest["landing"].items():
        print(f"  {name:34s} {v['rows']:>12,} rows {v['files']:>7,} files")
    if not args.keep:
        shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
