"""The territory comparison: a programme's indicators (or every registered one) side by side for each ASST's
territory and the whole network, each figure computed through the indicator engine over the organisations of the
territory (selectors.territory_organisations) and presented with the user's small-cell suppression."""

import datetime
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.choices import TerritoryKind
from accounts.models import Territory
from cases.selectors import suppress_small
from programmes import indicators, selectors
from programmes.indicators import REGISTRY, Scope
from programmes.models import Programme, ProgrammeIndicator


@dataclass
class Column:
    """A territory (None: the whole network) and the scope computed over it."""

    label: str
    territory: Territory | None
    scope: Scope


@dataclass
class TerritoryCell:
    """One figure of the comparison; `figure` is None for an indicator entered by hand."""

    figure: selectors.Figure | None
    value: Decimal | None
    status: str = ""

    @property
    def suppressed(self) -> bool:
        return self.figure is not None and self.figure.suppressed and self.value is None

    @property
    def is_waiting(self) -> bool:
        return self.figure is not None and self.figure.is_waiting


@dataclass
class TerritoryRow:
    """An indicator across the columns: the territories first, the whole network last."""

    key: str
    code: str
    title: str
    unit: str
    indicator: ProgrammeIndicator | None = None
    cells: list[TerritoryCell] = field(default_factory=list)


@dataclass
class TerritoryTable:
    columns: list[Column]
    rows: list[TerritoryRow]
    suppressed: bool


def comparison_territories() -> list[Territory]:
    """The ASSTs' territories, by name: the areas the network compares."""
    return list(Territory.objects.filter(kind=TerritoryKind.ASST).order_by("name"))


def _complementary(cells: list[TerritoryCell], *, territories: int) -> list[TerritoryCell]:
    """When exactly one territory's figure is suppressed, the next smallest non-zero one is hidden too, so that it
    cannot be worked out from the network's total."""
    hidden = [i for i, c in enumerate(cells[:territories]) if c.suppressed]
    if len(hidden) != 1:
        return cells
    shown = sorted(
        (c.figure.numerator, i)
        for i, c in enumerate(cells[:territories])
        if c.figure is not None and not c.suppressed and c.figure.numerator
    )
    if not shown:
        return cells
    _n, i = shown[0]
    figure = replace(cells[i].figure, numerator=None, value=None, suppressed=True)
    if figure.denominator is not None and suppress_small(figure.denominator) is None:
        figure.denominator = None
    cells = list(cells)
    cells[i] = replace(cells[i], figure=figure, value=None, status="suppressed" if cells[i].status else "")
    return cells


def territory_table(
    user,
    *,
    start: datetime.date,
    end: datetime.date,
    programme: Programme | None = None,
    today: datetime.date | None = None,
) -> TerritoryTable:
    """The programme's indicators (every registered indicator when `programme` is None) for each ASST territory
    and the whole network over start–end, as `user` may see them, with target status for a programme's."""
    columns = [
        Column(label=t.name, territory=t, scope=selectors.make_scope(start=start, end=end, territory=t))
        for t in comparison_territories()
    ]
    columns.append(Column(label=_("Whole network"), territory=None, scope=Scope(start=start, end=end)))
    suppress = [selectors.must_suppress(user, c.scope) for c in columns]
    cache: dict[tuple[str, int], selectors.Figure] = {}

    def figure(key: str, i: int) -> selectors.Figure:
        if (key, i) not in cache:
            cache[(key, i)] = selectors.present(key, indicators.compute(key, columns[i].scope), suppress=suppress[i])
        return cache[(key, i)]

    rows = []
    if programme is not None:
        today = today or datetime.date.today()
        for pi in programme.indicators.order_by("position"):
            row = TerritoryRow(key=pi.indicator_key, code=pi.code, title=pi.title, unit=pi.unit, indicator=pi)
            for i, column in enumerate(columns):
                fig = figure(pi.indicator_key, i) if pi.indicator_key else None
                value = fig.value if fig is not None else selectors.manual_total(pi, column.scope)
                status = selectors.target_status(
                    pi, value, figure=fig, scope=column.scope, starts_on=programme.starts_on, today=today
                )
                row.cells.append(TerritoryCell(figure=fig, value=value, status=status))
            rows.append(row)
    else:
        for key, definition in REGISTRY.items():
            row = TerritoryRow(key=key, code=key, title=str(definition.title), unit=definition.unit)
            for i in range(len(columns)):
                fig = figure(key, i)
                row.cells.append(TerritoryCell(figure=fig, value=fig.value))
            rows.append(row)
    territories = len(columns) - 1
    for row in rows:
        if any(suppress[:territories]):
            row.cells = _complementary(row.cells, territories=territories)
    return TerritoryTable(columns=columns, rows=rows, suppressed=any(suppress))


def territory_rows(table: TerritoryTable) -> list[list]:
    """The comparison as a header and one row per indicator, for an export; suppressed cells say so."""
    header = [_("code"), _("indicator"), _("unit"), *[c.label for c in table.columns]]
    out = [header]
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell.is_waiting:
                cells.append(_("waiting for: %(parts)s") % {"parts": ", ".join(cell.figure.waiting_for)})
            elif cell.suppressed:
                cells.append(_("suppressed (< 5)"))
            else:
                cells.append("" if cell.value is None else cell.value)
        out.append([row.code, row.title, row.unit, *cells])
    return out
