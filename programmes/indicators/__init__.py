"""The indicator engine: one registered, documented function per indicator.

An indicator is a function `compute(scope) -> Result` registered with `@indicator(...)`, which records its
definition (title, unit, period rule, what it waits for). Its drill-down, when it has one, is a function
`records(scope) -> QuerySet` registered with `@drilldown(key)`; the view applies `restrict()` to it. A count or
rate is best declared as a Counting (`@counting_indicator`, counting.py): the engine computes its total and groups
it by the dimensions it declares (breakdowns). Everything is computed in the database with aggregates; no loop
over person rows. docs/indicators.md describes each one.

To add an indicator: write the function in the module of its data (or a new module imported below), decorate it,
document it in docs/indicators.md, and test it on a small hand-computed dataset.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _

SNAPSHOT, FLOW, COHORT = "snapshot", "flow", "cohort"
PERIOD_RULES = {
    SNAPSHOT: _("snapshot at the end of the period"),
    FLOW: _("events within the period"),
    COHORT: _("persons active in the period, followed over it"),
}


@dataclass(frozen=True)
class Scope:
    """What to compute over: a period (both ends included) and the organisations (None: the whole network)."""

    start: datetime.date
    end: datetime.date
    organisation_ids: frozenset[int] | None = None

    def orgs(self, queryset, field_name: str = "organisation_id"):
        """`queryset` limited to the scope's organisations through `field_name`."""
        if self.organisation_ids is None:
            return queryset
        return queryset.filter(**{f"{field_name}__in": self.organisation_ids})


@dataclass
class Result:
    """A computed figure: a count, or a rate numerator/denominator, with an optional breakdown.

    `value` is the figure in the indicator's unit (percent already × 100); None when there is nothing to divide.
    `rows` is a breakdown [(label, count)], its counts adding up to `numerator`.
    `waiting_for` names the parts of Ponte whose data the indicator needs and that do not exist yet.
    """

    numerator: int | None = None
    denominator: int | None = None
    value: Decimal | None = None
    rows: list[tuple[str, int]] = field(default_factory=list)
    waiting_for: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_waiting(self) -> bool:
        return bool(self.waiting_for)


@dataclass
class IndicatorDef:
    """The declarative definition of an indicator, as registered."""

    key: str
    title: str
    unit: str
    period_rule: str
    description: str
    compute: Callable[[Scope], Result]
    waiting_for: tuple[str, ...] = ()
    breakdowns: tuple[str, ...] = ()
    records: Callable | None = None
    record_kind: str = ""
    version: int = 1
    # `counting(scope) -> Counting` when the figure is a count or rate that the engine can break down.
    counting: Callable | None = None


REGISTRY: dict[str, IndicatorDef] = {}


def indicator(
    key: str,
    *,
    title,
    unit: str,
    period_rule: str,
    waiting_for: tuple[str, ...] = (),
    breakdowns: tuple[str, ...] = (),
    version: int = 1,
):
    """Register the decorated `compute(scope) -> Result` under `key`; its docstring is its description."""

    def register(fn):
        if key in REGISTRY:
            raise ValueError(f"Indicator {key!r} registered twice")
        REGISTRY[key] = IndicatorDef(
            key=key,
            title=title,
            unit=unit,
            period_rule=period_rule,
            description=(fn.__doc__ or "").strip(),
            compute=fn,
            waiting_for=waiting_for,
            breakdowns=breakdowns,
            version=version,
        )
        return fn

    return register


def counting_indicator(
    key: str,
    *,
    title,
    unit: str,
    period_rule: str,
    breakdowns: tuple[str, ...] = (),
    version: int = 1,
):
    """Register the decorated `counting(scope) -> Counting` as indicator `key`: its total is the figure and
    `breakdowns` (keys of counting.DIMENSIONS) group it in SQL. Its docstring is its description."""

    def register(fn):
        from programmes.indicators.counting import DIMENSIONS, counted

        unknown = set(breakdowns) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"Indicator {key!r}: unknown breakdowns {sorted(unknown)}")

        def compute(scope: Scope) -> Result:
            return counted(fn(scope))

        compute.__doc__ = fn.__doc__
        indicator(key, title=title, unit=unit, period_rule=period_rule, breakdowns=breakdowns, version=version)(compute)
        REGISTRY[key].counting = fn
        return fn

    return register


def breakable(key: str, *, breakdowns: tuple[str, ...]):
    """Attach the decorated `counting(scope) -> Counting` to an indicator registered with @indicator (whose figure
    keeps its own rows), so that the engine can break it down by `breakdowns` (keys of counting.DIMENSIONS)."""

    def register(fn):
        from programmes.indicators.counting import DIMENSIONS

        unknown = set(breakdowns) - set(DIMENSIONS)
        if unknown:
            raise ValueError(f"Indicator {key!r}: unknown breakdowns {sorted(unknown)}")
        REGISTRY[key].counting = fn
        REGISTRY[key].breakdowns = breakdowns
        return fn

    return register


def drilldown(key: str, *, kind: str):
    """Register the decorated `records(scope) -> QuerySet` (unrestricted) as the records behind `key`.

    `kind` names the model: person, case, path, event, referral, assessment, employer_contact, employer.
    """

    def register(fn):
        REGISTRY[key].records = fn
        REGISTRY[key].record_kind = kind
        return fn

    return register


def rate(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal, or None for a zero denominator."""
    if not denominator:
        return None
    return (Decimal(100) * numerator / denominator).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def waiting(*parts: str) -> Callable[[Scope], Result]:
    """The compute function of an indicator whose data Ponte does not record yet."""

    def compute(scope: Scope) -> Result:
        return Result(waiting_for=parts)

    return compute


def compute(key: str, scope: Scope) -> Result:
    """The figure of indicator `key` over `scope`."""
    definition = REGISTRY[key]
    if definition.waiting_for:
        return Result(waiting_for=definition.waiting_for)
    return definition.compute(scope)


# The modules register their indicators on import.
from programmes.indicators import (  # noqa: E402, F401
    activities,
    cohort,
    community,
    employers,
    governance,
    paths,
    referrals,
    services,
)
