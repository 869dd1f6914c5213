"""`make bench`: run the benchmarks and write their results to bench/results/."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path

from . import rules_engine

OUT = Path(__file__).resolve().parent / "results"


def main() -> None:
    results = rules_engine.run()
    lines = rules_engine.report(results)
    print("\n".join(lines))
    OUT.mkdir(exist_ok=True)
    record = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "rules_engine": results,
    }
    (OUT / "rules-engine.json").write_text(json.dumps(record, indent=2) + "\n")
    (OUT / "rules-engine.txt").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
