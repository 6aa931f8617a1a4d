"""Command line: `omniwh generate` and `omniwh append` (see docs/generator.md), and `omniwh erasure ...`, the
same as `python -m omniwh.erasure ...` (right to erasure and key rotation, docs/data_protection.md), and
`omniwh activate --date D --out DIR` (today's activation lists, omniwh/activate.py)."""

from __future__ import annotations

import argparse
import sys

from .generator import SCALES, Rates, append, default_landing, default_truth, generate


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--scale",
        choices=list(SCALES),
        default="tiny",
        help="tiny ~2k people, demo ~20k, bench100k 100k, bench 1M (default: tiny)",
    )
    p.add_argument(
        "--seed", type=int, default=42, help="random seed; same seed and scale give identical files"
    )
    p.add_argument(
        "--landing", default=None, help="landing root (default $OMNI_LANDING_PATH or data/landing)"
    )
    p.add_argument("--quiet", action="store_true", help="no progress lines on stderr")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["erasure"]:
        from . import erasure

        return erasure.main(argv[1:])
    if argv[:1] == ["activate"]:
        from . import activate

        return activate.main(argv[1:])
    parser = argparse.ArgumentParser(prog="omniwh", description="Omnichannel member warehouse tools")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "erasure",
        add_help=False,
        help="erasure list: `add` a person, `rekey` it under a new hash key (omniwh erasure --help)",
    )
    sub.add_parser(
        "activate",
        add_help=False,
        help="write today's activation lists per channel and a manifest (omniwh activate --help)",
    )
    g = sub.add_parser("generate", help="simulate the period and write landing data and ground truth")
    _common(g)
    g.add_argument("--truth", default=None, help="truth folder (default $OMNI_TRUTH_PATH or data/truth)")
    g.add_argument(
        "--until",
        default=None,
        metavar="YYYY-MM-DD",
        help="write only load batches dated on or before this day (default: the period end)",
    )
    g.add_argument(
        "--identity-realism",
        action="store_true",
        help="also plant the identity realism items (damaged phones, store placeholders, recycled numbers, "
        "re-issued cards, duplicate enrolments, re-bound buyers)",
    )
    a = sub.add_parser("append", help="write the one daily load batch of --date")
    _common(a)
    a.add_argument("--truth", default=None, help="accepted for symmetry; append does not rewrite the truth")
    a.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="load date to write")
    args = parser.parse_args(argv)
    try:
        if args.command == "generate":
            generate(
                args.scale,
                args.seed,
                args.landing or default_landing(),
                args.truth or default_truth(),
                args.until,
                rates=Rates(identity_realism=True) if args.identity_realism else None,
                quiet=args.quiet,
            )
        else:
            append(args.date, args.scale, args.seed, args.landing or default_landing(), quiet=args.quiet)
    except ValueError as exc:
        print(f"omniwh: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
