"""A server-rendered SVG line chart of total scores over time (no JavaScript), with its bands shaded."""

from dataclasses import dataclass

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 40


@dataclass
class Point:
    x: float
    y: float
    value: float
    date: object
    band: str


def line_chart(assessments, *, bands: list[dict], lang: str) -> dict | None:
    """Geometry for templates/assessments/includes/chart.svg: points, band stripes and axis ticks."""
    from assessments.definitions import label

    series = [a for a in assessments if a.total is not None]
    if not series:
        return None
    values = [float(a.total) for a in series]
    lows = [float(b["min"]) for b in bands]
    low = min(values + lows[:1]) if lows else min(values)
    high = max(values)
    if high - low < 1:
        high = low + 1
    high = max(high, (lows[-1] + 0.5) if lows else high)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y_of(value: float) -> float:
        return round(TOP + plot_h - (value - low) / (high - low) * plot_h, 1)

    step = plot_w / max(len(series) - 1, 1)
    points = [
        Point(
            x=round(LEFT + (i * step if len(series) > 1 else plot_w / 2), 1),
            y=y_of(float(a.total)),
            value=float(a.total),
            date=a.assessed_on,
            band=a.band_label(),
        )
        for i, a in enumerate(series)
    ]
    stripes = []
    for n, band in enumerate(bands):
        start = max(float(band["min"]), low)
        end = float(bands[n + 1]["min"]) if n + 1 < len(bands) else high
        if end <= low or start >= high:
            continue
        stripes.append(
            {
                "y": y_of(min(end, high)),
                "height": round(y_of(start) - y_of(min(end, high)), 1),
                "label": label(band["label"], lang),
                "shade": n % 2,
            }
        )
    ticks = [{"y": y_of(v), "label": f"{v:g}"} for v in _ticks(low, high)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "plot_width": plot_w,
        "bottom": HEIGHT - BOTTOM,
        "top": TOP,
        "points": points,
        "path": " ".join(f"{p.x},{p.y}" for p in points),
        "stripes": stripes,
        "ticks": ticks,
    }


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = 0.5 if span <= 3 else 1 if span <= 8 else 5
    start = (int(low / step)) * step
    out, value = [], start
    while value <= high + 1e-9:
        if value >= low - 1e-9:
            out.append(round(value, 2))
        value += step
    return out
