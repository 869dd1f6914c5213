"""Rules engine benchmark: load, match (shipped and 100x rules), whole-space walk.

Times are medians. Each is also reported as a ratio to a calibration
workload timed in the same run, so runs on a noisy or slower machine can
be compared; targets are checked against the absolute medians.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from wizard.domain.coverage import place_sample, representative_countries, walk, walk_results
from wizard.domain.matching import Matcher
from wizard.domain.rulebook import models as m
from wizard.domain.rulebook.conditions import All, In
from wizard.domain.rulebook.loader import load_rulebook

RULES = Path(__file__).resolve().parent.parent / "rules"
TARGETS_MS = {"load": 300.0, "match_shipped": 0.2, "match_100x": 5.0, "walk_space": 2000.0}


def _median_ms(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def calibration_ms() -> float:
    """A fixed pure-Python workload: the yardstick for this machine, this run."""
    return _median_ms(lambda: sum(i * i for i in range(20_000)), repeat=15)


def scaled(book: m.Rulebook, factor: int) -> m.Rulebook:
    """A rulebook `factor` times larger, shaped like regional content.

    Every approach, organisation and rule is copied with new ids, the copied
    rules pointing at the copied items. Copy 0 is the shipped rulebook; copy
    n > 0 applies only to its own share of the countries, the way a large
    rulebook with local services per country would. So any one person meets
    roughly as many firing rules as in the shipped book, while the matcher
    has 100 times as much to search through.
    """
    codes = [c.code for c in book.countries]

    def suffix(code: str, n: int) -> str:
        return code if n == 0 else f"{code}-copy{n}"

    approaches, organisations, rules = [], [], []
    for n in range(factor):
        approaches += [a.model_copy(update={"id": suffix(a.id, n)}) for a in book.approaches]
        organisations += [
            o.model_copy(update={"id": suffix(o.id, n), "approaches": tuple(suffix(x, n) for x in o.approaches)})
            for o in book.organisations
        ]
        for r in book.rules:
            exclude = r.exclude
            if exclude is not None:
                exclude = exclude.model_copy(
                    update={
                        "approaches": tuple(suffix(x, n) for x in exclude.approaches),
                        "organisations": tuple(suffix(x, n) for x in exclude.organisations),
                    }
                )
            when = r.when
            if n > 0:
                share = frozenset(codes[n % len(codes) :: factor]) or frozenset(codes[:1])
                when = All((In("country", share), r.when))
            rules.append(
                r.model_copy(
                    update={
                        "id": suffix(r.id, n),
                        "when": when,
                        "recommend": tuple(suffix(x, n) for x in r.recommend),
                        "recommend_organisations": tuple(suffix(x, n) for x in r.recommend_organisations),
                        "exclude": exclude,
                    }
                )
            )
    return book.model_copy(
        update={"approaches": tuple(approaches), "organisations": tuple(organisations), "rules": tuple(rules)}
    )


def run() -> dict:
    calibration = calibration_ms()
    load = _median_ms(lambda: load_rulebook(RULES), repeat=7)
    book = load_rulebook(RULES)
    matcher = Matcher(book)
    answers = list(walk(book, matcher))
    sample = answers[:: max(1, len(answers) // 2000)]

    def per_match(match, items) -> float:
        return _median_ms(lambda: [match(a) for a in items], repeat=5) / len(items)

    match_shipped = per_match(matcher.match, sample)
    big = Matcher(scaled(book, 100))
    match_100x = per_match(big.match, sample[:200])

    # The whole answer space with the place questions: each country's sampled region and town
    # (coverage.place_sample) besides both left blank and "prefer not to say"; every answer set
    # walked and given its result, answers that differ only in the place sharing one match.
    with_places = sum(1 for _ in walk(book, matcher, towns=True))

    def walk_space():
        for _answers, _result in walk_results(book, matcher, towns=True):
            pass

    walk_ms = _median_ms(walk_space, repeat=3)
    results = {
        "calibration_ms": calibration,
        "combinations": len(answers),
        "combinations_with_places": with_places,
        "place_samples": {c: place_sample(c) for c in representative_countries(book)},
        "load": load,
        "match_shipped": match_shipped,
        "match_100x": match_100x,
        "walk_space": walk_ms,
        "rules_shipped": len(book.rules),
        "rules_100x": len(big.rules),
    }
    return results


def report(results: dict) -> list[str]:
    cal = results["calibration_ms"]
    lines = [
        f"Calibration workload: {cal:.3f} ms (ratios below are time / calibration)",
        f"{'measure':<16}{'median ms':>12}{'x calib.':>10}{'target ms':>11}{'of target':>11}  status",
    ]
    for key, target in TARGETS_MS.items():
        value = results[key]
        status = "ok" if value <= target else "OVER TARGET"
        lines.append(f"{key:<16}{value:>12.4f}{value / cal:>10.3f}{target:>11.1f}{value / target:>10.0%}  {status}")
    lines.append(
        f"({results['combinations']} answer combinations; {results['rules_shipped']} rules shipped,"
        f" {results['rules_100x']} in the 100x rulebook)"
    )
    samples = results.get("place_samples") or {}
    sampled = ", ".join(
        f"{country} {'/'.join(v for v in (s.get('subdivision'), s.get('town')) if v)}"
        for country, s in samples.items()
        if s
    )
    lines.append(
        f"walk_space walks {results.get('combinations_with_places', 0)} combinations: region and town left blank,"
        ' "prefer not to say", and for each country the most populous town of the gazetteer with its region'
        f" (else the first region by code): {sampled}"
    )
    return lines
