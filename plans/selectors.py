"""Reads of plans and evaluations: a plan with its content and budget, a person's versions."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from assessments.models import InstrumentItem
from plans import snapshots
from plans.choices import FundingSource, GoalArea
from plans.models import Evaluation, Goal, Plan, PlanAction, PlanRevision, Review, Term

ZERO = Decimal("0.00")


def plan_queryset():
    return Plan.objects.select_related("person", "organisation", "approved_by", "created_by", "evaluation")


def with_content(plan: Plan) -> list[Goal]:
    """The plan's goals in area order, with actions (and their organisations), resources and outcomes."""
    goals = list(
        Goal.objects.filter(plan=plan)
        .select_related("term")
        .prefetch_related(
            Prefetch("actions", queryset=PlanAction.objects.select_related("organisation")),
            "resources",
            "outcomes__review",
        )
        .order_by("pk")
    )
    order = {area: n for n, area in enumerate(GoalArea.values)}
    goals.sort(key=lambda g: (order.get(g.area, 99), g.pk))
    return goals


@dataclass
class BudgetRow:
    """Costs of one goal (or one area, or the plan) by funding source."""

    label: str
    area: str = ""
    by_source: dict[str, Decimal] = field(default_factory=lambda: {s: ZERO for s in FundingSource.values})

    @property
    def total(self) -> Decimal:
        return sum(self.by_source.values(), ZERO)

    def amounts(self) -> list[Decimal]:
        return [self.by_source[s] for s in FundingSource.values]

    def add(self, source: str, cost: Decimal) -> None:
        self.by_source[source] = self.by_source.get(source, ZERO) + cost


@dataclass
class Budget:
    """The budget table: per area, its goals' rows and the area's subtotal; and the plan's total."""

    areas: list[tuple[BudgetRow, list[BudgetRow]]]
    total: BudgetRow
    sources: list[tuple[str, str]]


def budget(goals: list[Goal]) -> Budget:
    """Totals per goal, per area and per plan, by funding source, from goals with prefetched resources."""
    labels = dict(GoalArea.choices)
    total = BudgetRow(label="")
    areas: dict[str, tuple[BudgetRow, list[BudgetRow]]] = {}
    for goal in goals:
        area_row, rows = areas.setdefault(goal.area, (BudgetRow(label=str(labels[goal.area]), area=goal.area), []))
        row = BudgetRow(label=goal.title, area=goal.area)
        for resource in goal.resources.all():
            row.add(resource.funding_source, resource.cost)
            area_row.add(resource.funding_source, resource.cost)
            total.add(resource.funding_source, resource.cost)
        goal.budget = row
        rows.append(row)
    return Budget(areas=list(areas.values()), total=total, sources=list(FundingSource.choices))


def reviews_of(plan: Plan) -> list[Review]:
    return list(plan.reviews.select_related("recorded_by").order_by("planned_on", "pk"))


def versions_of(user, person) -> list[Plan]:
    """The person's plan versions the user may see, newest first."""
    return list(
        Plan.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("organisation", "approved_by")
        .order_by("-number")
    )


def evaluations_of(user, person) -> list[Evaluation]:
    return list(
        Evaluation.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("organisation")
        .prefetch_related("participants")
        .order_by("-held_on", "-pk")
    )


def final_snapshot(plan: Plan) -> dict:
    """The plan's content at its last save (an approved version's content never changes after approval)."""
    row = PlanRevision.objects.filter(plan=plan).order_by("-version").values_list("snapshot", flat=True).first()
    return row if row is not None else snapshots.snapshot(plan)


def instrument_items_using(term: Term):
    """The instrument items that measure a vocabulary term, newest version first (no person data)."""
    return (
        InstrumentItem.objects.filter(term=term)
        .select_related("version__instrument")
        .only(
            "item_id",
            "position",
            "text_it",
            "text_en",
            "version__number",
            "version__instrument__code",
            "version__instrument__title_it",
            "version__instrument__title_en",
        )
        .order_by("version__instrument__code", "-version__number", "position")
    )
