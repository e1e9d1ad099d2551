"""A self-contained HTML page of a run: rate and latency over time as inline SVG (no scripts,
no fonts or styles from the network), with the run's summary and percentiles."""

from __future__ import annotations

import html
import math
from typing import Any

WIDTH, HEIGHT = 900, 260
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 20, 40
COLOURS = {
    "offered": "#999999",
    "ok": "#1f77b4",
    "settled": "#2ca02c",
    "errors": "#d62728",
    "p50_ms": "#1f77b4",
    "p99_ms": "#ff7f0e",
    "max_ms": "#d62728",
}


def _nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    exp = 10 ** math.floor(math.log10(v))
    for m in (1, 2, 5, 10):
        if v <= m * exp:
            return float(m * exp)
    return float(10 * exp)


def chart(
    title: str,
    xs: list[float],
    series: dict[str, list[float | None]],
    *,
    y_label: str,
    log: bool = False,
) -> str:
    """One line chart as an SVG element."""
    w, h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    x_max = max(xs[-1] if xs else 1.0, 1.0)
    values = [v for s in series.values() for v in s if v is not None and v > 0]
    if log:
        lo = 10 ** math.floor(math.log10(min(values))) if values else 0.1
        hi = 10 ** math.ceil(math.log10(max(values))) if values else 10.0
        hi = max(hi, lo * 10)

        def y_of(v: float) -> float:
            v = max(v, lo)
            return (
                TOP + h - (math.log10(v) - math.log10(lo)) / (math.log10(hi) - math.log10(lo)) * h
            )

        ticks = [10**e for e in range(int(math.log10(lo)), int(math.log10(hi)) + 1)]
    else:
        hi = _nice_max(max(values) if values else 1.0)

        def y_of(v: float) -> float:
            return TOP + h - v / hi * h

        ticks = [hi * i / 5 for i in range(6)]

    def x_of(x: float) -> float:
        return LEFT + x / x_max * w

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'role="img" aria-label="{html.escape(title)}">',
        f'<text x="{LEFT}" y="14" font-size="13" font-weight="bold">{html.escape(title)}</text>',
        f'<rect x="{LEFT}" y="{TOP}" width="{w}" height="{h}" fill="none" stroke="#ccc"/>',
    ]
    for t in ticks:
        y = y_of(t)
        label = f"{t:g}"
        parts.append(
            f'<line x1="{LEFT}" x2="{LEFT + w}" y1="{y:.1f}" y2="{y:.1f}" '
            f'stroke="#eee"/><text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" '
            f'text-anchor="end">{label}</text>'
        )
    step = _nice_max(x_max / 8)
    x = 0.0
    while x <= x_max + 1e-9:
        parts.append(
            f'<text x="{x_of(x):.1f}" y="{TOP + h + 16}" font-size="11" '
            f'text-anchor="middle">{x:g}</text>'
        )
        x += step
    parts.append(
        f'<text x="{LEFT + w / 2}" y="{HEIGHT - 4}" font-size="11" '
        f'text-anchor="middle">seconds (measured)</text>'
    )
    parts.append(
        f'<text x="12" y="{TOP + h / 2}" font-size="11" text-anchor="middle" '
        f'transform="rotate(-90 12 {TOP + h / 2})">{html.escape(y_label)}</text>'
    )
    for i, (name, ys) in enumerate(series.items()):
        colour = COLOURS.get(name, "#000")
        runs: list[list[str]] = [[]]
        for xv, yv in zip(xs, ys, strict=True):
            if yv is None or (log and yv <= 0):
                runs.append([])
                continue
            runs[-1].append(f"{x_of(xv):.1f},{y_of(yv):.1f}")
        for pts in runs:
            if len(pts) == 1:
                cx, cy = pts[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="2" fill="{colour}"/>')
            elif pts:
                parts.append(
                    f'<polyline fill="none" stroke="{colour}" stroke-width="1.5" '
                    f'points="{" ".join(pts)}"/>'
                )
        lx = LEFT + 10 + i * 110
        parts.append(
            f'<rect x="{lx}" y="{TOP + 6}" width="12" height="3" fill="{colour}"/>'
            f'<text x="{lx + 16}" y="{TOP + 11}" font-size="11">'
            f"{html.escape(name)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def page(doc: dict[str, Any]) -> str:
    """The HTML page of a report document."""
    tl = doc["timeline"]
    xs = [float(r["t"]) for r in tl]
    rate = chart(
        "Operations per second",
        xs,
        {
            "offered": [float(r["offered"]) for r in tl],
            "ok": [float(r["ok"]) for r in tl],
            "settled": [float(r["settled"]) for r in tl],
            "errors": [float(r["errors"]) for r in tl],
        },
        y_label="per second",
    )
    latency = chart(
        "Operation latency from intended start (ms, log scale)",
        xs,
        {k: [r.get(k) for r in tl] for k in ("p50_ms", "p99_ms", "max_ms")},
        y_label="ms",
        log=True,
    )
    s = doc["summary"]
    rows = []
    for section in ("ops", "calls"):
        for name, t in doc[section].items():
            lat = t["latency_ms"]
            cells = "".join(
                f"<td>{lat.get(k, '-')}</td>" for k in ("p50", "p90", "p99", "p99.9", "max")
            )
            rows.append(
                f"<tr><td>{section}</td><td>{html.escape(name)}</td>"
                f"<td>{t['count']}</td><td>{t['errors']}</td>{cells}</tr>"
            )
    errors = ", ".join(f"{html.escape(k)}: {v}" for k, v in doc["errors_by_code"].items())
    settings = html.escape(str(doc["settings"]))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>settlenet loadtest</title>
<style>body{{font-family:sans-serif;margin:20px;color:#222}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:right}}
td:nth-child(2){{text-align:left}}</style></head><body>
<h1>settlenet loadtest</h1>
<p><b>{s["ops"]}</b> operations in {s["measured_s"]} s measured: <b>{s["ops_per_s"]}</b> ops/s,
<b>{s["settlements_per_s"]}</b> settlements/s, {s["calls_per_s"]} calls/s.
OK {s["ok"]}, errors <b>{s["errors"]}</b>, unfinished {s["unfinished"]},
dropped {s["dropped"]}. Errors by gRPC code: {errors or "none"}.</p>
{rate}
{latency}
<table><tr><th>what</th><th>name</th><th>count</th><th>errors</th><th>p50 ms</th>
<th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th></tr>
{"".join(rows)}</table>
<p><small>{html.escape(doc.get("latency_note", ""))}</small></p>
<p><small>settings: {settings}</small></p>
</body></html>
"""
