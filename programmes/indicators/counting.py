"""Counts and rates declared as a Counting, and their breakdowns by a dimension, grouped in SQL.

A Counting names the rows an indicator counts (persons, paths, cases: each row once) and the condition of its
numerator; the total is one aggregate, a breakdown one GROUP BY on the dimension's expression. The group rows
(a few per dimension) are then labelled, and merged where several values share a label (the organisations of one
ASST), in Python: no loop over person rows. Every row falls in exactly one group, so the rows add up to the total.
"""

import datetime
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, CharField, Count, Expression, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext_lazy as _

from programmes.indicators import REGISTRY, Result, Scope, rate

# The 97.5th percentile of the standard normal distribution: the z of a two-sided 95% interval.
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Counting:
    """The rows an indicator counts and its numerator.

    `units`: the denominator's rows, each counted once (`Count("pk")`). `numerator`: the condition on a row to be in
    the numerator; None for a plain count. `person`: the lookup prefix from a row to its person ("" when the rows
    are persons, None when there is no person). `organisation` and `team`: the field name, or expression, giving
    the organisation and the team (accounts.Unit) a row belongs to; None when the rows have none. `durations`: the
    name of an annotation of the rows holding each one's follow-up time (a DurationField): the figure is then the
    Kaplan–Meier median of it in days, the numerator the rows with the event and the denominator all rows.
    """

    units: QuerySet
    numerator: Q | None = None
    person: str | None = ""
    organisation: str | Expression | None = None
    team: str | Expression | None = None
    durations: str | None = None


def kaplan_meier_median(pairs) -> int | None:
    """The Kaplan–Meier median of (duration, events, at that duration in all) ordered by duration: the first
    duration at which the share still without the event falls to one half or below; None when it never does.
    Events at a duration count before the censored ones at the same duration."""
    at_risk = sum(n for _d, _e, n in pairs)
    surviving = 1.0
    for duration, events, n in pairs:
        if events:
            surviving *= 1 - events / at_risk
            if surviving <= 0.5:
                return duration
        at_risk -= n
    return None


def _median(by_days: dict[int, list[int]]) -> Decimal | None:
    median = kaplan_meier_median([(d, e, n) for d, (e, n) in sorted(by_days.items())])
    return None if median is None else Decimal(median)


def attributed(anchor: QuerySet, field_name: str, *, order: tuple[str, ...], person_field: str = "person_id"):
    """For person rows: `field_name` of the person's latest `anchor` row (by `order`), so that a person followed by
    two organisations or teams falls in one group only."""
    return Subquery(anchor.filter(**{person_field: OuterRef("pk")}).order_by(*order).values(field_name)[:1])


def percent(x: float) -> Decimal:
    return Decimal(str(100 * x)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def wilson(numerator: int, denominator: int) -> tuple[Decimal, Decimal] | None:
    """The Wilson score 95% confidence interval of numerator / denominator, in percent; None for a zero denominator."""
    if not denominator:
        return None
    n, p, z2 = denominator, numerator / denominator, Z95 * Z95
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z95 * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return percent(max(0.0, centre - half)), percent(min(1.0, centre + half))


# ---------------------------------------------------------------------------------------------- dimensions


@dataclass(frozen=True)
class Dimension:
    """A breakdown: the SQL expression grouping a Counting's rows, and how its values are labelled and ordered.

    `needs` is the part of a Counting it reads (person, organisation or team). `label(values, scope)` turns the
    grouped values into ordered (label, [values]) pairs; several values may share one label.
    """

    key: str
    title: object
    needs: str
    expression: Callable[[Counting, Scope], Expression]
    label: Callable[[list, Scope], list[tuple[str, list]]]


def _years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# Age bands at the end of the period: (code, label, lower age included). The first band of seed 001's work-culture
# area is the young people 16-24; under 16 nobody is a candidate, so the first band is "under 25".
AGE_BANDS = (
    ("u25", _("under 25"), 0),
    ("25-34", _("25–34"), 25),
    ("35-44", _("35–44"), 35),
    ("45-54", _("45–54"), 45),
    ("55+", _("55 and over"), 55),
)


def _age_band(counting: Counting, scope: Scope):
    born = f"{counting.person}birth_date"
    whens = []
    for (code, _label, _low), (_next, _l, upper) in zip(AGE_BANDS, AGE_BANDS[1:], strict=False):
        # Younger than `upper` at the end of the period: born after the day `upper` years before it.
        whens.append(When(**{f"{born}__gt": _years_before(scope.end, upper)}, then=Value(code)))
    return Case(*whens, default=Value(AGE_BANDS[-1][0]), output_field=CharField())


def _person_field(name: str):
    def expression(counting: Counting, scope: Scope):
        return F(f"{counting.person}{name}")

    return expression


def _law68(counting: Counting, scope: Scope):
    p = counting.person
    registered = Q(**{f"{p}law68_registered": True}) & (
        Q(**{f"{p}law68_registered_on__isnull": True}) | Q(**{f"{p}law68_registered_on__lte": scope.end})
    )
    return Case(When(registered, then=Value("yes")), default=Value("no"), output_field=CharField())


def _of(name: str):
    def expression(counting: Counting, scope: Scope):
        source = getattr(counting, name)
        return F(source) if isinstance(source, str) else source

    return expression


def _choices(choices, *, blank_label):
    def label(values, scope):
        present = set(values)
        out = [(str(lbl), [value]) for value, lbl in choices if value in present]
        if "" in present or None in present:
            out.append((str(blank_label), [v for v in ("", None) if v in present]))
        return out

    return label


def _sex_label(values, scope):
    from people.choices import Sex

    return _choices(Sex.choices, blank_label=_("Not recorded"))(values, scope)


def _diagnosis_label(values, scope):
    from people.choices import DiagnosisGroup

    return _choices(DiagnosisGroup.choices, blank_label=_("Not recorded"))(values, scope)


def _age_label(values, scope):
    present = set(values)
    return [(str(label), [code]) for code, label, _low in AGE_BANDS if code in present]


def _law68_label(values, scope):
    names = {"yes": _("Registered for targeted placement (Law 68)"), "no": _("Not registered")}
    return [(str(names[v]), [v]) for v in ("yes", "no") if v in set(values)]


def _organisation_label(values, scope):
    from accounts.models import Organisation

    names = dict(Organisation.objects.filter(pk__in=[v for v in values if v]).values_list("pk", "name"))
    out = sorted(((names[v], [v]) for v in values if v in names), key=lambda pair: pair[0])
    missing = [v for v in values if v not in names]
    if missing:
        out.append((str(_("No organisation recorded")), missing))
    return out


def asst_of_organisations(organisation_ids) -> dict[int, tuple[int, str]]:
    """organisation id → (id, name) of the ASST territory its territory lies in (itself or an ancestor)."""
    from accounts.choices import TerritoryKind
    from accounts.models import Organisation, Territory

    territories = {pk: (parent, kind, name) for pk, parent, kind, name in
                   Territory.objects.values_list("pk", "parent_id", "kind", "name")}  # fmt: skip
    out = {}
    for org_id, territory_id in Organisation.objects.filter(pk__in=organisation_ids).values_list("pk", "territory_id"):
        seen = set()
        while territory_id is not None and territory_id not in seen:
            seen.add(territory_id)
            parent, kind, name = territories[territory_id]
            if kind == TerritoryKind.ASST:
                out[org_id] = (territory_id, name)
                break
            territory_id = parent
    return out


def _asst_label(values, scope):
    assts = asst_of_organisations([v for v in values if v])
    by_asst: dict[tuple[int, str], list] = {}
    for v in values:
        if v in assts:
            by_asst.setdefault(assts[v], []).append(v)
    out = [(name, group) for (_pk, name), group in sorted(by_asst.items(), key=lambda item: item[0][1])]
    missing = [v for v in values if v not in assts]
    if missing:
        out.append((str(_("No ASST recorded")), missing))
    return out


def _team_label(values, scope):
    from accounts.choices import UnitKind
    from accounts.models import Unit

    poli = dict(
        Unit.objects.filter(pk__in=[v for v in values if v], kind=UnitKind.POLO_LAVORO)
        .annotate(label=F("name"))
        .values_list("pk", "label")
    )
    out = sorted(((poli[v], [v]) for v in values if v in poli), key=lambda pair: pair[0])
    missing = [v for v in values if v not in poli]
    if missing:
        out.append((str(_("Not followed by a Polo Lavoro")), missing))
    return out


DIMENSIONS: dict[str, Dimension] = {
    d.key: d
    for d in (
        Dimension("asst", _("ASST (territory)"), "organisation", _of("organisation"), _asst_label),
        Dimension("organisation", _("Organisation"), "organisation", _of("organisation"), _organisation_label),
        Dimension("polo", _("Polo Lavoro"), "team", _of("team"), _team_label),
        Dimension("diagnosis", _("Diagnosis group"), "person", _person_field("diagnosis_group"), _diagnosis_label),
        Dimension("sex", _("Sex"), "person", _person_field("sex"), _sex_label),
        Dimension("age_band", _("Age band at the end of the period"), "person", _age_band, _age_label),
        Dimension("law68", _("Law 68 status at the end of the period"), "person", _law68, _law68_label),
    )
}


def selectable(key: str) -> list[tuple[str, str]]:
    """The breakdowns the engine can compute for indicator `key`: (dimension key, title) in DIMENSIONS' order."""
    definition = REGISTRY[key]
    if definition.counting is None:
        return []
    return [(k, str(d.title)) for k, d in DIMENSIONS.items() if k in definition.breakdowns]


# ---------------------------------------------------------------------------------------------- computing


def _durations(counting: Counting, *group: str) -> list[dict]:
    """(group…, days, events, rows) triples grouped in the database: a few hundred rows at most, never the persons."""
    return list(
        counting.units.order_by()
        .values(*group, counting.durations)
        .annotate(num=Count("pk", filter=counting.numerator), den=Count("pk"))
    )


def counted(counting: Counting) -> Result:
    """The total of a Counting as a Result: a count, a rate in percent, or a median of durations in days."""
    if counting.durations:
        by_days: dict[int, list[int]] = {}
        for row in _durations(counting):
            _add(by_days, row[counting.durations].days, row["num"], row["den"])
        placed, followed = sum(e for e, _n in by_days.values()), sum(n for _e, n in by_days.values())
        median = _median(by_days)
        note = "" if median is not None or not followed else str(NOT_REACHED)
        return Result(numerator=placed, denominator=followed, value=median, note=note)
    if counting.numerator is None:
        n = counting.units.order_by().aggregate(n=Count("pk"))["n"]
        return Result(numerator=n, value=n)
    totals = counting.units.order_by().aggregate(den=Count("pk"), num=Count("pk", filter=counting.numerator))
    return Result(numerator=totals["num"], denominator=totals["den"], value=rate(totals["num"], totals["den"]))


NOT_REACHED = _("Fewer than half had the event by the end of follow-up: the median is not reached.")


def _add(by_days: dict[int, list[int]], days: int, events: int, rows: int) -> None:
    pair = by_days.setdefault(days, [0, 0])
    pair[0] += events
    pair[1] += rows


@dataclass
class Cell:
    """One row of a breakdown: a count, or a rate with its Wilson 95% interval; None where suppressed."""

    label: str
    numerator: int | None
    denominator: int | None = None
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    gap: Decimal | None = None
    suppressed: bool = False


@dataclass
class Breakdown:
    """An indicator's figure broken down by a dimension: one cell per group and the total."""

    key: str
    dimension: str
    title: str
    is_rate: bool
    cells: list[Cell] = field(default_factory=list)
    total: Cell | None = None
    indicator_title: str = ""
    is_median: bool = False


class BreakdownNotAllowed(ValueError):
    """The indicator does not declare this breakdown (or the dimension is unknown)."""


def _cell(label: str, num: int, den: int | None, is_rate: bool) -> Cell:
    if not is_rate:
        return Cell(label=label, numerator=num, value=Decimal(num))
    interval = wilson(num, den)
    low, high = interval if interval else (None, None)
    return Cell(label=label, numerator=num, denominator=den, value=rate(num, den), low=low, high=high)


def check_breakdown(key: str, dimension: str) -> None:
    """Refuse, with a message for the user, a dimension the indicator does not declare."""
    definition = REGISTRY.get(key)
    if definition is None or definition.counting is None or dimension not in definition.breakdowns:
        title = str(definition.title) if definition else key
        raise BreakdownNotAllowed(
            _("“%(indicator)s” cannot be broken down by %(dimension)s.")
            % {
                "indicator": title,
                "dimension": str(DIMENSIONS[dimension].title) if dimension in DIMENSIONS else dimension,
            }
        )


def breakdown(key: str, scope: Scope, dimension: str) -> Breakdown:
    """The indicator's numerator and denominator grouped by `dimension` in SQL, with the total."""
    check_breakdown(key, dimension)
    definition = REGISTRY[key]
    counting = definition.counting(scope)
    dim = DIMENSIONS[dimension]
    if getattr(counting, dim.needs) is None:
        raise BreakdownNotAllowed(
            _("“%(indicator)s” cannot be broken down by %(dimension)s.")
            % {"indicator": definition.title, "dimension": dim.title}
        )
    if counting.durations:
        return _median_breakdown(definition, counting, dim, scope)
    is_rate = counting.numerator is not None
    aggregates = {"den": Count("pk")}
    if is_rate:
        aggregates["num"] = Count("pk", filter=counting.numerator)
    grouped = (
        counting.units.annotate(_group=dim.expression(counting, scope))
        .order_by()
        .values("_group")
        .annotate(**aggregates)
    )
    raw = {row["_group"]: (row.get("num", row["den"]), row["den"]) for row in grouped}
    cells = []
    for label, values in dim.label(list(raw), scope):
        num = sum(raw[v][0] for v in values)
        den = sum(raw[v][1] for v in values)
        cells.append(_cell(label, num, den, is_rate))
    total = _cell(str(_("Total")), sum(n for n, _d in raw.values()), sum(d for _n, d in raw.values()), is_rate)
    if is_rate and total.value is not None:
        for cell in cells:
            cell.gap = None if cell.value is None else cell.value - total.value
    return Breakdown(key=key, dimension=dimension, title=str(dim.title), is_rate=is_rate, cells=cells, total=total,
                     indicator_title=str(definition.title))  # fmt: skip


def _median_breakdown(definition, counting: Counting, dim: Dimension, scope: Scope) -> Breakdown:
    """A median per group: the (group, days) pairs grouped in SQL, the product-limit walk per group in Python."""
    units = counting.units.annotate(_group=dim.expression(counting, scope))
    raw: dict[object, dict[int, list[int]]] = {}
    for row in _durations(Counting(units=units, numerator=counting.numerator, durations=counting.durations), "_group"):
        _add(raw.setdefault(row["_group"], {}), row[counting.durations].days, row["num"], row["den"])

    def cell(label: str, by_days: dict[int, list[int]]) -> Cell:
        events, rows = sum(e for e, _n in by_days.values()), sum(n for _e, n in by_days.values())
        return Cell(label=label, numerator=events, denominator=rows, value=_median(by_days))

    cells, everything = [], {}
    for label, values in dim.label(list(raw), scope):
        merged: dict[int, list[int]] = {}
        for value in values:
            for days, (events, rows) in raw[value].items():
                _add(merged, days, events, rows)
                _add(everything, days, events, rows)
        cells.append(cell(label, merged))
    return Breakdown(key=definition.key, dimension=dim.key, title=str(dim.title), is_rate=False, cells=cells,
                     total=cell(str(_("Total")), everything), indicator_title=str(definition.title),
                     is_median=True)  # fmt: skip
