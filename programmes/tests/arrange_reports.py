"""A small programme built by hand for the trend, territory and report tests, and candidates with known dates."""

import datetime
from decimal import Decimal

from accounts.choices import OrganisationKind, TerritoryKind, UnitKind
from accounts.models import Organisation, Territory, Unit
from cases.choices import Area
from core.testing.cast import make_case
from programmes.choices import Direction, MilestoneStatus
from programmes.choices import Unit as Measure
from programmes.models import (
    Action,
    BudgetLine,
    ManualValue,
    Milestone,
    Objective,
    Programme,
    ProgrammeIndicator,
)
from programmes.tests.conftest import close, person_of

D = datetime.date


def build_programme(cast, *, title: str = "Lavoro e salute mentale", action_title: str = "Tirocini in azienda"):
    """A programme with one objective, one action of organisation A with a milestone, a budget line, an indicator
    computed by the engine (candidates, target at least 10) and one entered by hand (meetings, target 4)."""
    programme = Programme.objects.create(
        code="prova-report",
        title=title,
        short_title="Programma di prova",
        owner="Comune di Milano",
        starts_on=D(2024, 1, 1),
        ends_on=D(2026, 12, 31),
        source_document="Documento di prova",
        source_file="prova.yaml",
        content_hash="x",
    )
    objective = Objective.objects.create(
        programme=programme, code="1", title="Aumentare l'occupazione delle persone in carico", position=1
    )
    action = Action.objects.create(
        objective=objective,
        code="1.1",
        title=action_title,
        responsible="Polo Lavoro Sacco",
        responsible_organisation=cast.org_a,
        position=1,
    )
    Milestone.objects.create(
        action=action, title="Convenzioni firmate", due_on=D(2025, 6, 30), status=MilestoneStatus.IN_PROGRESS
    )
    BudgetLine.objects.create(
        programme=programme, area="Area lavoro", year=2025, amount=Decimal("12500"), source="p. 3"
    )
    ProgrammeIndicator.objects.create(
        programme=programme,
        objective=objective,
        code="CAND",
        title="Candidati seguiti nel periodo",
        indicator_key="cohort.candidates",
        unit=Measure.COUNT,
        direction=Direction.AT_LEAST,
        target=Decimal("10"),
        source="p. 4",
        position=1,
    )
    ProgrammeIndicator.objects.create(
        programme=programme,
        objective=objective,
        code="RIUN",
        title="Riunioni di rete tenute",
        unit=Measure.COUNT,
        direction=Direction.AT_LEAST,
        target=Decimal("4"),
        source="p. 5",
        position=2,
    )
    return programme


def manual_value(cast, programme, *, on: datetime.date, value: int):
    indicator = programme.indicators.get(code="RIUN")
    return ManualValue.objects.create(
        indicator=indicator, on=on, value=Decimal(value), evidence="Verbale", organisation=cast.org_a,
        recorded_by=cast.coordinator_a,
    )  # fmt: skip


def candidates(unit, n: int, *, opened: datetime.date, closed: datetime.date | None = None) -> None:
    """`n` persons with a work case at `unit` (a Polo Lavoro) opened on `opened`, closed on `closed` if given."""
    for _ in range(n):
        case = make_case(person=person_of(unit.organisation), unit=unit, area=Area.WORK, opened_on=opened)
        if closed is not None:
            close(case, closed, "Concluso")


def three_territories(cast):
    """Three ASST territories under the ATS: North holds organisation A, South organisation B, East a third
    ASST with its own Polo Lavoro (returned)."""
    ats = Territory.objects.create(code="ATS-R", name="ATS", kind=TerritoryKind.ATS)
    north = Territory.objects.create(code="NORD", name="ASST Nord", kind=TerritoryKind.ASST, parent=ats)
    south = Territory.objects.create(code="SUD", name="ASST Sud", kind=TerritoryKind.ASST, parent=ats)
    east = Territory.objects.create(code="EST", name="ASST Est", kind=TerritoryKind.ASST, parent=ats)
    cast.org_a.territory, cast.org_b.territory = north, south
    cast.org_a.save()
    cast.org_b.save()
    org_c = Organisation.objects.create(name="ASST Est di prova", kind=OrganisationKind.ASST, territory=east)
    unit_c = Unit.objects.create(organisation=org_c, name="Polo Lavoro Est", kind=UnitKind.POLO_LAVORO)
    return {"north": north, "south": south, "east": east, "unit_c": unit_c}
