"""`python -m bench all [--quick] [--database-url URL]` runs every benchmark and prints each ratio against
its target; `python -m bench NAME [args]` runs one (`python -m bench NAME --help`)."""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from bench.common import print_table, write

BENCHES = {
    "ack": "bench.ack_latency",
    "fanout": "bench.fanout",
    "gpu": "bench.gpu_digest",
    "spend": "bench.spend_digest",
    "spend-focus": "bench.spend_focus",
    "mlflow": "bench.mlflow_poll",
    "slow-deps": "bench.slow_deps",
}


def main(argv: list[str]) -> int:
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__)
        print("benchmarks: all, " + ", ".join(BENCHES))
        return 0
    name, rest = argv[0], argv[1:]
    if name in BENCHES:
        return importlib.import_module(BENCHES[name]).main(rest)
    if name != "all":
        print(
            f"python -m bench: unknown benchmark {name!r}; choose all or one of {', '.join(BENCHES)}", file=sys.stderr
        )
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m bench all", description="Run every benchmark: " + ", ".join(BENCHES)
    )
    parser.add_argument("--quick", action="store_true", help="a short pass of each")
    parser.add_argument("--database-url", help="the ack benchmark's PostgreSQL (a throwaway schema in it)")
    args = parser.parse_args(rest)
    quick = args.quick
    results = []
    for key, module in BENCHES.items():
        print(f"\n=== {key} ({module})")
        extra = {"database_url": args.database_url} if key == "ack" and args.database_url else {}
        try:
            results.append(importlib.import_module(module).run(quick, **extra))
        except Exception as exc:  # noqa: BLE001 — one failing benchmark must not hide the others
            traceback.print_exc()
            results.append({"name": key, "ratio": None, "target": "-", "ok": False, "error": str(exc)})
    print("\n=== summary")
    print_table(
        [
            [
                r["name"],
                "-" if r.get("ratio") is None else f"{r['ratio']:.2f}",
                r["target"],
                "ok" if r["ok"] else "SHORT",
            ]
            for r in results
        ],
        ["benchmark", "ratio", "target", "verdict"],
    )
    path = write("all", {"quick": quick, "results": results})
    print(f"\nresults: {path}")
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
