"""`python -m bench catalogue` (``./dev bench catalogue``): issue 18's speed at catalogue scale.

Runs the progress (totals, award evaluation), dashboard and heartbeat benchmarks with ``BENCH_CATALOGUE=1``:
20 generated courses and 60 credentials installed beside the shipped courses, 10,000 learners spread over
offerings (:mod:`bench.catalogue_fixture`). Each figure is printed as a ratio against the same peer, measured in
the same run, as without the catalogue, on SQLite and PostgreSQL.
"""
from __future__ import annotations

import os
import subprocess
import sys

BENCHES = ("progress", "dashboard", "heartbeats")


def main() -> int:
    env = dict(os.environ, BENCH_CATALOGUE="1")
    failed = [name for name in BENCHES
              if subprocess.call([sys.executable, "-m", f"bench.bench_{name}"], env=env)]
    if failed:
        print(f"catalogue-scale benchmarks that did not finish: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
