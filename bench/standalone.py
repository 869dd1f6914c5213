"""One benchmark run alone (`python -m bench.cpu`): its figures kept as JSON, then its targets and report."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

OUT = Path(__file__).resolve().parent / "results"


def main(benchmark: ModuleType, name: str) -> None:
    data = benchmark.run()
    OUT.mkdir(exist_ok=True)
    (OUT / f"{name}.json").write_text(json.dumps(data, indent=2) + "\n")
    print()
    for row in benchmark.targets(data):
        print(" | ".join(row))
    print()
    print("\n".join(benchmark.report(data)))
