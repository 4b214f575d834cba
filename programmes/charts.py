"""A server-rendered SVG bar chart (no JavaScript); the page shows the same figures as a table beside it."""

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
