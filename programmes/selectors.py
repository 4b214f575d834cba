"""Reads of programmes and indicator figures: scopes, target status, and what each role may see of a figure."""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.db.models import Prefetch, Sum

from accounts.access import access_for
from accounts.models import Organisation, Territory
from cases.selectors import SMALL_CELL, suppress_small
from programmes import indicators
from programmes.choices import Direction, TargetStatus, Unit
from programmes.indicators import REGISTRY, Result, Scope
from programmes.indicators.cohort import COHORT_TABLE
from programmes.indicators.counting import Breakdown, Cell, breakdown
from programmes.indicators.paths import EQUITY
from programmes.models import Action, ManualValue, Objective, Programme, ProgrammeIndicator


def territory_organisations(territory: Territory | None) -> frozenset[int] | None:
    """The organisations whose territory is `territory` or lies within it; None for the whole network."""
    if territory is None:
        return None
    parents = dict(Territory.objects.values_list("pk", "parent_id"))
    inside = {territory.pk}
    changed = True
    while changed:
        before = len(inside)
        inside |= {pk for pk, parent in parents.items() if parent in inside}
        changed = len(inside) != before
    return frozenset(Organisation.objects.filter(territory_id__in=inside).values_list("pk", flat=True))


def make_scope(
    *, start: datetime.date, end: datetime.date, territory: Territory | None = None, organisation=None
) -> Scope:
    """A scope from the chosen period, territory and organisation (both optional: they intersect)."""
    orgs = territory_organisations(territory)
    if organisation is not None:
        orgs = frozenset({organisation.pk}) if orgs is None else orgs & {organisation.pk}
    return Scope(start=start, end=end, organisation_ids=orgs)


def must_suppress(user, scope: Scope) -> bool:
    """Small counts are suppressed unless the scope lies within organisations where the user sees persons.

    Aggregate-only users always get suppressed figures; a coordinator sees exact figures of their own
    organisation, suppressed ones of the network or of other organisations.
    """
    access = access_for(user)
    if access.is_aggregate_only or not access.person_org_ids:
        return True
    return scope.organisation_ids is None or not scope.organisation_ids <= access.person_org_ids


def suppress_rows(rows: list[tuple[str, int]]) -> list[tuple[str, int | None]]:
    """Small cells hidden, and complementary suppression: when one cell is hidden and the total is shown, the
    next smallest cell is hidden too, so the hidden one cannot be worked out by subtraction."""
    out = [(label, suppress_small(n)) for label, n in rows]
    hidden = [i for i, (_label, n) in enumerate(out) if n is None]
    if len(hidden) == 1:
        candidates = sorted((n, i) for i, (_label, n) in enumerate(out) if n is not None and n > 0)
        if candidates:
            _n, i = candidates[0]
            out[i] = (out[i][0], None)
    return out


@dataclass
class Figure:
    """A figure as a user may see it: suppressed cells are None with `suppressed` set."""

    key: str
    title: str
    unit: str
    numerator: int | None
    denominator: int | None
    value: Decimal | None
    rows: list[tuple[str, int | None]] = field(default_factory=list)
    waiting_for: tuple[str, ...] = ()
    suppressed: bool = False
    has_records: bool = False
    note: str = ""

    @property
    def is_waiting(self) -> bool:
        return bool(self.waiting_for)

    @property
    def no_data(self) -> bool:
        return not self.waiting_for and not self.suppressed and self.value is None


def present(key: str, result: Result, *, suppress: bool) -> Figure:
    """The figure of `result` for a user who must (or need not) get suppressed counts.

    For a rate, the numerator is hidden when it is small or when the complement (denominator − numerator) is,
    and then the rate too; a hidden denominator hides everything. A median in days over fewer than five persons
    is hidden.
    """
    definition = REGISTRY[key]
    figure = Figure(
        key=key,
        title=str(definition.title),
        unit=definition.unit,
        numerator=result.numerator,
        denominator=result.denominator,
        value=result.value,
        rows=list(result.rows),
        waiting_for=result.waiting_for,
        has_records=definition.records is not None,
        note=result.note,
    )
    if not suppress or result.waiting_for:
        return figure
    figure.rows = suppress_rows(result.rows)
    num, den = result.numerator, result.denominator
    small_num = num is not None and suppress_small(num) is None
    if definition.unit == Unit.PERCENT and num is not None and den is not None:
        small_den = suppress_small(den) is None
        small_rest = suppress_small(den - num) is None
        if small_den or small_num or small_rest:
            figure.numerator, figure.value, figure.suppressed = None, None, True
        if small_den:
            figure.denominator = None
    elif small_num:
        figure.numerator, figure.suppressed = None, True
        if definition.unit == Unit.COUNT:
            figure.value = None
    if definition.unit == Unit.COUNT and den is not None and suppress_small(den) is None:
        figure.denominator, figure.suppressed = None, True
    if definition.unit == Unit.DAYS and den is not None and suppress_small(den) is None:
        # A median over fewer than five persons is close to one person's own figure.
        figure.denominator, figure.value, figure.suppressed = None, None, True
    if any(n is None for _label, n in figure.rows):
        figure.suppressed = True
    return figure


def figure_for(user, key: str, scope: Scope) -> Figure:
    return present(key, indicators.compute(key, scope), suppress=must_suppress(user, scope))


def cohort_table(user, scope: Scope) -> list[Figure]:
    """Seed 000's table for the scope: one figure per row, in the seed's order."""
    return [figure_for(user, key, scope) for key in COHORT_TABLE]


def target_status(pi: ProgrammeIndicator, value: Decimal | None, *, figure: Figure | None, scope: Scope,
                  starts_on: datetime.date | None, today: datetime.date) -> str:  # fmt: skip
    """How `value` stands against the indicator's target.

    Met when it reaches the target in the target's direction. Otherwise: missed when the due date has passed;
    for an "at least" count with a known start and a future due date, on track when it reaches the share of
    the target proportional to the time elapsed by the end of the period; off track in every other case.
    """
    if figure is not None and figure.is_waiting:
        return TargetStatus.WAITING
    if figure is not None and figure.suppressed and value is None:
        return TargetStatus.SUPPRESSED
    if value is None:
        return TargetStatus.NO_DATA
    if pi.target is None:
        return TargetStatus.NO_TARGET
    met = value >= pi.target if pi.direction == Direction.AT_LEAST else value <= pi.target
    if met:
        return TargetStatus.MET
    if pi.due_on is not None and pi.due_on < today:
        return TargetStatus.MISSED
    if pi.unit == Unit.COUNT and pi.direction == Direction.AT_LEAST and pi.due_on and starts_on:
        span = (pi.due_on - starts_on).days
        elapsed = (min(scope.end, pi.due_on) - starts_on).days
        if span > 0 and elapsed >= 0 and value >= pi.target * Decimal(elapsed) / Decimal(span):
            return TargetStatus.ON_TRACK
    return TargetStatus.OFF_TRACK


@dataclass
class IndicatorRow:
    """A programme indicator with its figure for the scope and its status."""

    indicator: ProgrammeIndicator
    figure: Figure | None
    value: Decimal | None
    status: str
    manual_values: list = field(default_factory=list)


def manual_total(pi: ProgrammeIndicator, scope: Scope) -> Decimal | None:
    """The sum of the manual values dated within the period (of organisations in scope); None when there are none."""
    qs = scope.orgs(ManualValue.objects.filter(indicator=pi, on__gte=scope.start, on__lte=scope.end))
    return qs.aggregate(total=Sum("value"))["total"]


def indicator_rows(user, programme: Programme, scope: Scope, *, today: datetime.date) -> list[IndicatorRow]:
    """Each indicator of the programme, computed over `scope`, with its status against its target."""
    suppress = must_suppress(user, scope)
    cache: dict[str, Figure] = {}
    rows = []
    for pi in programme.indicators.select_related("objective").order_by("position"):
        if pi.indicator_key:
            if pi.indicator_key not in cache:
                cache[pi.indicator_key] = present(
                    pi.indicator_key, indicators.compute(pi.indicator_key, scope), suppress=suppress
                )
            figure = cache[pi.indicator_key]
            value = figure.value
        else:
            figure, value = None, manual_total(pi, scope)
        status = target_status(pi, value, figure=figure, scope=scope, starts_on=programme.starts_on, today=today)
        rows.append(IndicatorRow(indicator=pi, figure=figure, value=value, status=status))
    return rows


def programme_tree(programme: Programme) -> list[Objective]:
    """The programme's main objectives with their sub-objectives, actions and milestones, in three queries."""
    actions = Prefetch(
        "actions",
        queryset=Action.objects.select_related("responsible_organisation").prefetch_related("milestones"),
    )
    objectives = list(programme.objectives.prefetch_related(actions).order_by("position"))
    children: dict[int, list[Objective]] = {}
    for obj in objectives:
        children.setdefault(obj.parent_id, []).append(obj)
    for obj in objectives:
        obj.sub = children.get(obj.pk, [])
    return children.get(None, [])


def _small(n: int | None) -> bool:
    return n is not None and suppress_small(n) is None


def _with_complement(values: list[int | None], hidden: set[int]) -> set[int]:
    """When exactly one cell of a column is hidden and the total is shown, hide the next smallest non-zero one."""
    if len(hidden) == 1:
        rest = sorted((n, i) for i, n in enumerate(values) if i not in hidden and n)
        if rest:
            hidden = hidden | {rest[0][1]}
    return hidden


def _hidden_cell(cell: Cell, *, numerator: bool, denominator: bool) -> Cell:
    if not (numerator or denominator):
        return cell
    return replace(
        cell,
        numerator=None if numerator else cell.numerator,
        denominator=None if denominator else cell.denominator,
        value=None,
        low=None,
        high=None,
        gap=None,
        suppressed=True,
    )


def suppress_breakdown(table: Breakdown) -> Breakdown:
    """A breakdown as an aggregate-only reader gets it: small counts hidden (1–4) with complementary suppression
    in each column, and for a rate the numerator also when its complement (denominator − numerator) is small;
    a hidden numerator or denominator hides the rate and its interval."""
    cells = table.cells
    if table.is_median:
        # A median over fewer than five persons is close to one person's own figure: hidden with its count.
        nums = {i for i, c in enumerate(cells) if _small(c.numerator)}
        nums = _with_complement([c.numerator for c in cells], nums)
        dens = {i for i, c in enumerate(cells) if _small(c.denominator)}
        dens = _with_complement([c.denominator for c in cells], dens)
        hidden = [
            replace(c, numerator=None if i in nums else c.numerator, denominator=None, value=None, suppressed=True)
            if i in dens
            else replace(c, numerator=None, suppressed=True)
            if i in nums
            else c
            for i, c in enumerate(cells)
        ]
        total = table.total
        if _small(total.denominator):
            total = replace(total, numerator=None, denominator=None, value=None, suppressed=True)
        elif _small(total.numerator):
            total = replace(total, numerator=None, suppressed=True)
        return replace(table, cells=hidden, total=total)
    if table.is_rate:
        dens = {i for i, c in enumerate(cells) if _small(c.denominator)}
        dens = _with_complement([c.denominator for c in cells], dens)
        nums = {i for i, c in enumerate(cells) if _small(c.numerator) or _small(c.denominator - c.numerator)}
        nums = _with_complement([c.numerator for c in cells], nums | {i for i in dens if cells[i].numerator == 0})
        total = table.total
        total = _hidden_cell(
            total,
            numerator=_small(total.numerator) or _small(total.denominator - total.numerator),
            denominator=_small(total.denominator),
        )
    else:
        nums = {i for i, c in enumerate(cells) if _small(c.numerator)}
        nums = _with_complement([c.numerator for c in cells], nums)
        dens = set()
        total = _hidden_cell(table.total, numerator=_small(table.total.numerator), denominator=False)
    hidden = [_hidden_cell(c, numerator=i in nums, denominator=i in dens) for i, c in enumerate(cells)]
    if total.value is None:  # a gap would give the hidden total rate away
        hidden = [replace(c, gap=None) for c in hidden]
    return replace(table, cells=hidden, total=total)


def breakdown_for(user, key: str, scope: Scope, dimension: str) -> Breakdown:
    """The indicator broken down by `dimension` as the user may see it (BreakdownNotAllowed when not declared)."""
    table = breakdown(key, scope, dimension)
    return suppress_breakdown(table) if must_suppress(user, scope) else table


def equity_tables(user, scope: Scope) -> list[Breakdown]:
    """The equity indicators: each ASST's rate against the whole scope's, with their 95% intervals."""
    return [breakdown_for(user, key, scope, "asst") for key in EQUITY]


def breakdown_rows(table: Breakdown, *, scope_label: str) -> list[list]:
    """The rows of a breakdown for an export, in the columns of exports.figure_rows; suppressed cells say so."""
    from django.utils.translation import gettext as _

    definition = REGISTRY[table.key]

    def cell(value, c: Cell):
        if value is None:
            return _("suppressed (< 5)") if c.suppressed else ""
        return value

    out = []
    for c in [*table.cells, table.total]:
        label = f"{table.title}: {c.label}"
        out.append(
            [str(definition.title), table.key, label, cell(c.numerator, c), cell(c.denominator, c),
             cell(c.value, c), definition.unit, "", scope_label]
        )  # fmt: skip
    return out


SMALL_CELL_LABEL = SMALL_CELL
