"""The capacity chart: p50 and p99 against arrival rate, as a plain SVG file.

Hand-written SVG text, so the benchmark needs no plotting library and the chart
no script or outside service. Latency is on a logarithmic axis: below the knee
the lines sit at a few milliseconds, past it they climb by orders of
magnitude, and both stay readable. The slowest page (at the capacity found, or
else at the highest rate) is drawn bold, p99 solid and p50 dashed; every other
page's p99 lightly behind it; the 250 ms limit as a red line. The line follows
the probes; a 60 s step at a probed rate is a square beside it. Steps that
failed are drawn open.
"""

from __future__ import annotations

import math
from html import escape

WIDTH, HEIGHT = 760, 460
LEFT, RIGHT, TOP, BOTTOM = 80, 200, 56, 64
INK, GRID, LIGHT, BOLD, LIMIT = "#1a1a1a", "#d9d9d9", "#76808a", "#0b4f9c", "#b3261e"
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif"'


def _points(data: dict) -> tuple[list[dict], list[dict]]:
    """The sweep (one step per rate, rising: the probe there, or the 60 s step at a rate never probed)
    and the 60 s steps held at a probed rate, drawn as squares beside it. The warm-up is left out."""
    steps = [s for s in data["steps"] if s["kind"] != "warm-up"]
    sweep: dict[float, dict] = {s["rate"]: s for s in steps if s["kind"] == "probe"}
    held = []
    for step in steps:
        if step["kind"] == "probe":
            continue
        if step["rate"] in sweep:
            held.append(step)
        else:
            sweep[step["rate"]] = step
    return [sweep[rate] for rate in sorted(sweep)], held


def _slowest(steps: list[dict], pages: list[str]) -> str:
    """The page with the highest p99 at the highest rate every page answered."""
    for step in reversed(steps):
        values = {p: step["pages"][p]["p99_ms"] for p in pages}
        if all(v is not None for v in values.values()):
            return max(values, key=values.get)
    return pages[0]


def _ticks_log(low: float, high: float) -> list[float]:
    ticks = []
    for power in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for first in (1, 2, 5):
            value = first * 10**power
            if low <= value <= high:
                ticks.append(value)
    return ticks


def _label_ms(value: float) -> str:
    return f"{value / 1000:g} s" if value >= 1000 else f"{value:g} ms"


def svg(data: dict) -> str:
    steps, held = _points(data)
    pages = list(steps[0]["pages"]) if steps else []
    every = [p for s in steps + held for p in s["pages"].values()]
    values = [v for p in every for v in (p["p50_ms"], p["p99_ms"]) if v is not None and v > 0]
    low = 10 ** math.floor(math.log10(min(values))) if values else 1.0
    high = 10 ** math.ceil(math.log10(max([*values, 1000.0])))
    top_rate = max([s["rate"] for s in steps] or [10.0])
    rate_step = 10 if top_rate <= 100 else 20
    x_max = rate_step * math.ceil(top_rate * 1.05 / rate_step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(rate: float) -> float:
        return LEFT + plot_w * rate / x_max

    def y(ms: float) -> float:
        share = (math.log10(max(ms, low)) - math.log10(low)) / (math.log10(high) - math.log10(low))
        return TOP + plot_h * (1 - share)

    confirmed = data.get("confirmed")
    slowest = confirmed["slowest_page"] if confirmed else _slowest(steps, pages) if pages else "none"
    capacity = data.get("capacity", 0)
    reached = f"capacity {capacity:g} journeys a second" if capacity else "no rate held for 60 s"
    title = f"Latency against arrival rate: {reached}"
    desc = (
        f"p50 and p99 latency in milliseconds (logarithmic) of each page against the arrival rate of whole "
        f"journeys a second, from {len(steps) + len(held)} steps of the open-loop run. Slowest page: {slowest}. "
        + "; ".join(
            f"{s['rate']:g}/s: {slowest} p50 {s['pages'][slowest]['p50_ms'] or 0:.0f} ms, "
            f"p99 {s['pages'][slowest]['p99_ms'] or 0:.0f} ms{'' if s['passed'] else ' (failed)'}"
            for s in steps + held
        )
        + f". The limit is {data.get('settings', {}).get('p99_limit_ms', 250):g} ms."
    )
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-title chart-desc">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{escape(desc)}</desc>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT}" y="30" {FONT} font-size="17" font-weight="600" fill="{INK}">{escape(title)}</text>',
    ]
    for tick in _ticks_log(low, high):
        ty = y(tick)
        out.append(f'<line x1="{LEFT}" y1="{ty:.1f}" x2="{LEFT + plot_w}" y2="{ty:.1f}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{LEFT - 8}" y="{ty + 4:.1f}" {FONT} font-size="12" fill="{INK}" '
            f'text-anchor="end">{_label_ms(tick)}</text>'
        )
    for rate in range(0, int(x_max) + 1, rate_step):
        tx = x(rate)
        out.append(f'<line x1="{tx:.1f}" y1="{TOP}" x2="{tx:.1f}" y2="{TOP + plot_h}" stroke="{GRID}"/>')
        out.append(
            f'<text x="{tx:.1f}" y="{TOP + plot_h + 18}" {FONT} font-size="12" fill="{INK}" '
            f'text-anchor="middle">{rate}</text>'
        )
    out.append(
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="{INK}" stroke-width="1"/>'
    )
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 18}" {FONT} font-size="13" fill="{INK}" '
        'text-anchor="middle">arrival rate (journeys a second)</text>'
    )
    out.append(
        f'<text transform="translate(22 {TOP + plot_h / 2}) rotate(-90)" {FONT} font-size="13" fill="{INK}" '
        'text-anchor="middle">latency (ms, logarithmic)</text>'
    )
    limit = data.get("settings", {}).get("p99_limit_ms", 250)
    out.append(
        f'<line x1="{LEFT}" y1="{y(limit):.1f}" x2="{LEFT + plot_w}" y2="{y(limit):.1f}" '
        f'stroke="{LIMIT}" stroke-width="2" stroke-dasharray="8 4"/>'
    )
    if capacity:
        cx = x(capacity)
        out.append(
            f'<line x1="{cx:.1f}" y1="{TOP}" x2="{cx:.1f}" y2="{TOP + plot_h}" stroke="{INK}" '
            'stroke-width="1" stroke-dasharray="2 3"/>'
        )
        out.append(
            f'<text x="{cx + 4:.1f}" y="{TOP + 14}" {FONT} font-size="12" fill="{INK}">capacity {capacity:g}/s</text>'
        )

    def line(page: str, key: str, colour: str, width: float, dash: str = "") -> None:
        pts = [(x(s["rate"]), y(s["pages"][page][key])) for s in steps if s["pages"][page][key] is not None]
        if len(pts) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py in pts)
            extra = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="{width}"{extra}'
                ' stroke-linejoin="round"/>'
            )

    for page in pages:
        if page != slowest:
            line(page, "p99_ms", LIGHT, 1.2)
    if pages:
        line(slowest, "p50_ms", BOLD, 2.5, "7 4")
        line(slowest, "p99_ms", BOLD, 3)
        for s in steps:
            for key in ("p50_ms", "p99_ms"):
                value = s["pages"][slowest][key]
                if value is None:
                    continue
                fill = BOLD if s["passed"] else "#ffffff"
                out.append(
                    f'<circle cx="{x(s["rate"]):.1f}" cy="{y(value):.1f}" r="4.5" fill="{fill}" '
                    f'stroke="{BOLD}" stroke-width="2"/>'
                )
        for s in held:
            value = s["pages"][slowest]["p99_ms"]
            if value is not None:
                fill = BOLD if s["passed"] else "#ffffff"
                out.append(
                    f'<rect x="{x(s["rate"]) + 6:.1f}" y="{y(value) - 5:.1f}" width="10" height="10" fill="{fill}" '
                    f'stroke="{BOLD}" stroke-width="2"/>'
                )
    legend = [
        (BOLD, 3, "", f"{slowest} p99"),
        (BOLD, 2.5, "7 4", f"{slowest} p50"),
        (LIGHT, 1.2, "", "other pages' p99"),
        (LIMIT, 2, "8 4", f"{limit:g} ms limit"),
    ]
    lx, ly = LEFT + plot_w + 16, TOP + 8
    for i, (colour, width, dash, text) in enumerate(legend):
        yy = ly + i * 24
        extra = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(
            f'<line x1="{lx}" y1="{yy}" x2="{lx + 30}" y2="{yy}" stroke="{colour}" stroke-width="{width}"{extra}/>'
        )
        out.append(f'<text x="{lx + 38}" y="{yy + 4}" {FONT} font-size="12" fill="{INK}">{escape(text)}</text>')
    yy = ly + len(legend) * 24
    out.append(f'<circle cx="{lx + 15}" cy="{yy}" r="4.5" fill="#ffffff" stroke="{BOLD}" stroke-width="2"/>')
    out.append(f'<text x="{lx + 38}" y="{yy + 4}" {FONT} font-size="12" fill="{INK}">step failed</text>')
    yy += 24
    out.append(f'<rect x="{lx + 10}" y="{yy - 5}" width="10" height="10" fill="{BOLD}" stroke="{BOLD}"/>')
    out.append(f'<text x="{lx + 38}" y="{yy + 4}" {FONT} font-size="12" fill="{INK}">{slowest} p99, 60 s</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
