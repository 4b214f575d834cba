"""Server-rendered SVG charts (no JavaScript; docs/adr/0014): bars, and trend lines against a target. Pages and the
PDF report show the same figures as a table beside each chart."""

WIDTH, BAR_HEIGHT, GAP, LEFT, RIGHT = 640, 24, 10, 220, 60


def bar_chart(rows: list[tuple[str, int | None]]) -> dict | None:
    """Geometry for templates/programmes/includes/bars.svg; suppressed cells (None) draw no bar."""
    if not rows:
        return None
    top = max((n for _label, n in rows if n), default=0) or 1
    plot = WIDTH - LEFT - RIGHT
    bars = []
    for i, (label, n) in enumerate(rows):
        y = GAP + i * (BAR_HEIGHT + GAP)
        bars.append(
            {
                "label": label,
                "value": n,
                "y": y,
                "text_y": y + BAR_HEIGHT * 0.7,
                "width": round(plot * (n or 0) / top, 1),
                "end": round(LEFT + plot * (n or 0) / top + 6, 1),
            }
        )
    return {"width": WIDTH, "height": GAP + len(rows) * (BAR_HEIGHT + GAP), "left": LEFT, "bars": bars}


TREND_WIDTH, TREND_HEIGHT = 640, 220
T_LEFT, T_RIGHT, T_TOP, T_BOTTOM = 56, 16, 16, 40


def _nice_step(high: float) -> float:
    """A round tick step giving about four or five ticks from 0 to `high`."""
    raw = high / 4 or 1
    magnitude = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def trend_chart(points: list[tuple[str, object, bool]], *, target=None, title: str = "") -> dict | None:
    """Geometry for templates/programmes/includes/trend_chart.html: one point per period (label, value,
    suppressed), the line broken where a value is missing, and the target as a dashed line. The y axis starts
    at 0. Coordinates are plain numbers (never localised)."""
    if not points:
        return None
    values = [float(v) for _label, v, _s in points if v is not None]
    high = max([*values, float(target) if target is not None else 0.0, 0.0])
    step = _nice_step(high * 1.1 if high else 1.0)
    top_value = step * max(1, -(-high * 1.05 // step)) if high else step * 4
    plot_w = TREND_WIDTH - T_LEFT - T_RIGHT
    plot_h = TREND_HEIGHT - T_TOP - T_BOTTOM

    def y_of(value: float) -> float:
        return round(T_TOP + plot_h - value / top_value * plot_h, 1)

    slot = plot_w / len(points)
    out_points, segments, current = [], [], []
    for i, (label, value, suppressed) in enumerate(points):
        x = round(T_LEFT + slot * (i + 0.5), 1)
        point = {"x": x, "label": label, "value": value, "suppressed": suppressed}
        if value is None:
            point["y"] = y_of(0)
            if len(current) > 1:
                segments.append(" ".join(current))
            current = []
        else:
            point["y"] = y_of(float(value))
            current.append(f"{x},{point['y']}")
        out_points.append(point)
    if len(current) > 1:
        segments.append(" ".join(current))
    ticks, value = [], 0.0
    while value <= top_value + 1e-9:
        ticks.append({"y": y_of(value), "label": f"{value:g}"})
        value += step
    return {
        "width": TREND_WIDTH,
        "height": TREND_HEIGHT,
        "left": T_LEFT,
        "right": TREND_WIDTH - T_RIGHT,
        "bottom": TREND_HEIGHT - T_BOTTOM,
        "label_y": TREND_HEIGHT - T_BOTTOM + 16,
        "points": out_points,
        "segments": segments,
        "ticks": ticks,
        "target_y": y_of(float(target)) if target is not None else None,
        "title": title,
        "every": max(1, len(points) // 8),
    }
