"""Trends: each indicator of a programme computed period by period (quarters, or years for long ranges) through
the indicator engine, as the user may see it (small cells suppressed per period), against its target."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from programmes import indicators, selectors
from programmes.charts import trend_chart
from programmes.indicators import Scope
from programmes.models import Programme, ProgrammeIndicator

# Up to this many quarters a range is shown per quarter; longer ranges per year.
MAX_QUARTERS = 12


@dataclass(frozen=True)
class Period:
    """One step of a trend: its label and its days, both ends included."""

    label: str
    start: datetime.date
    end: datetime.date


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _next_quarter(day: datetime.date) -> datetime.date:
    month = day.month + 3
    return datetime.date(day.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)


def periods(start: datetime.date, end: datetime.date) -> list[Period]:
    """The quarters (or, past MAX_QUARTERS of them, the years) that cover start–end, clipped to it."""
    if end < start:
        return []
    quarters = []
    q = _quarter_start(start)
    while q <= end:
        nxt = _next_quarter(q)
        quarters.append((q, nxt - datetime.timedelta(days=1)))
        q = nxt
        if len(quarters) > MAX_QUARTERS:
            break
    if len(quarters) <= MAX_QUARTERS:
        return [
            Period(label=f"Q{(q.month - 1) // 3 + 1} {q.year}", start=max(q, start), end=min(last, end))
            for q, last in quarters
        ]
    return [
        Period(
            label=str(year),
            start=max(datetime.date(year, 1, 1), start),
            end=min(datetime.date(year, 12, 31), end),
        )
        for year in range(start.year, end.year + 1)
    ]


@dataclass
class TrendPoint:
    """An indicator's value in one period; None when suppressed or when there is nothing to compute."""

    period: Period
    value: Decimal | None
    suppressed: bool = False


@dataclass
class Trend:
    """An indicator of a programme over the periods, with its target and the chart's geometry."""

    indicator: ProgrammeIndicator
    points: list[TrendPoint] = field(default_factory=list)
    waiting_for: tuple[str, ...] = ()
    chart: dict | None = None

    @property
    def is_waiting(self) -> bool:
        return bool(self.waiting_for)

    @property
    def has_values(self) -> bool:
        return any(p.value is not None for p in self.points)


def trend_steps(programme: Programme, start: datetime.date, end: datetime.date) -> int:
    """How many figures trend_series computes (for a job's progress)."""
    return programme.indicators.count() * len(periods(start, end))


def trend_series(
    user,
    programme: Programme,
    *,
    start: datetime.date,
    end: datetime.date,
    organisation_ids: frozenset[int] | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[Trend]:
    """Each indicator of the programme per period of start–end over the organisations in scope (None: the whole
    network), computed with indicators.compute and presented with the user's suppression for each period.
    Indicators that share a registered key are computed once per period; manual ones sum their values."""
    steps = periods(start, end)
    cache: dict[tuple[str, Period], selectors.Figure] = {}
    done = 0
    trends = []
    for pi in programme.indicators.order_by("position"):
        trend = Trend(indicator=pi)
        for i, period in enumerate(steps):
            scope = Scope(start=period.start, end=period.end, organisation_ids=organisation_ids)
            if pi.indicator_key:
                key = (pi.indicator_key, period)
                if key not in cache:
                    suppress = selectors.must_suppress(user, scope)
                    cache[key] = selectors.present(
                        pi.indicator_key, indicators.compute(pi.indicator_key, scope), suppress=suppress
                    )
                figure = cache[key]
                if figure.is_waiting:
                    trend.waiting_for, trend.points = figure.waiting_for, []
                    done += len(steps) - i
                    break
                trend.points.append(TrendPoint(period=period, value=figure.value, suppressed=figure.suppressed))
            else:
                trend.points.append(TrendPoint(period=period, value=selectors.manual_total(pi, scope)))
            done += 1
            if progress is not None:
                progress(done)
        if trend.points:
            trend.chart = trend_chart(
                [(p.period.label, p.value, p.suppressed) for p in trend.points],
                target=pi.target,
                title=_("%(code)s by period") % {"code": pi.code},
            )
        trends.append(trend)
    if progress is not None:
        progress(done)
    return trends
