"""`python -m bench {loop,analysis,detector,replay} [--json] [--out FILE]`: one JSON object each."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _ints(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {text!r}"
        ) from None


def _loop(args: argparse.Namespace) -> dict[str, Any]:
    from bench.loop import measure  # noqa: PLC0415 (each subcommand imports only its own code)

    result = measure(args.runs, memory=args.memory, steady=args.steady)
    if args.profile:
        from bench.loop_profile import profile  # noqa: PLC0415

        print(f"loop: where the time of {args.runs} investigations goes ...", file=sys.stderr)
        result["profile"] = profile(args.runs, memory=args.memory)
    return result


def _analysis(args: argparse.Namespace) -> dict[str, Any]:
    from bench.analysis import measure  # noqa: PLC0415

    return measure(args.services, args.logs, args.base_logs, args.base_services)


def _detector(args: argparse.Namespace) -> dict[str, Any]:
    from bench.detector import NAB_SAMPLE, measure  # noqa: PLC0415

    return measure(args.nab_dir or NAB_SAMPLE, args.limit)


def _replay(args: argparse.Namespace) -> dict[str, Any]:
    from bench.replay_speed import measure  # noqa: PLC0415

    print(f"replay: {args.incidents} incidents live, then replayed ...", file=sys.stderr)
    return {"benchmark": "replay", **measure(args.incidents)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    commands: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {}
    loop = sub.add_parser("loop", help="ADSH investigation vs a bare LangGraph graph")
    loop.add_argument("--runs", type=int, default=10)
    loop.add_argument("--memory", action="store_true", help="incident memory on (default off)")
    loop.add_argument("--profile", action="store_true", help="also time the parts of a run")
    loop.add_argument(
        "--steady",
        action="store_true",
        help="no garbage collection forced before each run (a long-running process)",
    )
    commands["loop"] = _loop
    analysis = sub.add_parser("analysis", help="bundle detection + RCA scaling")
    analysis.add_argument("--services", type=_ints, default=[10, 50, 200, 1000])
    analysis.add_argument("--logs", type=_ints, default=[10_000, 100_000, 1_000_000])
    analysis.add_argument("--base-logs", type=int, default=10_000)
    analysis.add_argument("--base-services", type=int, default=200)
    commands["analysis"] = _analysis
    detector = sub.add_parser("detector", help="streaming NAB detector throughput")
    detector.add_argument("--nab-dir", type=Path, default=None)
    detector.add_argument("--limit", type=int, default=None, help="first N series only")
    commands["detector"] = _detector
    replay = sub.add_parser("replay", help="checkpoints replayed per second")
    replay.add_argument("--incidents", type=int, default=10)
    commands["replay"] = _replay
    for name, command in sub.choices.items():
        command.add_argument("--json", action="store_true", help="print only the JSON object")
        command.add_argument("--out", type=Path, default=None, help="also write the JSON here")
        command.set_defaults(handler=commands[name])
    return parser


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        result = args.handler(args)
    except (ValueError, FileNotFoundError) as exc:
        sys.exit(f"error: {exc}")
    text = json.dumps(result)
    if args.out:
        args.out.write_text(text + "\n")
    print(text if args.json else json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
