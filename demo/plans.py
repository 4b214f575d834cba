"""Demo individual plans with budgets for part of the demo persons: an approved version in force, for some an
earlier superseded version, for some a draft of the next one, and held reviews with outcomes. Plain rows, no audit
events (seeding is not a user action). Idempotent: persons who already have a plan are skipped.

seed_demo calls `seed_plans(rng=random.Random(seed), today=timezone.localdate())` after the assessments.
"""

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import NON_CARE_KINDS
from accounts.models import Organisation
from cases.models import Case
from plans import snapshots
from plans.choices import FundingSource, GoalArea, Outcome, PlanStatus
from plans.models import Goal, GoalOutcome, Plan, PlanAction, PlanRevision, Resource, Review

SHARE = 0.15  # of the persons with an open case

# (area, goal, [actions], [(resource, funding source, low, high euros)])
CATALOGUE = [
    (
        GoalArea.HOUSING,
        "Vivere in autonomia nel proprio appartamento",
        ["Supporto educativo domiciliare settimanale", "Accompagnamento alla gestione della casa"],
        [
            ("Educatore a domicilio", FundingSource.ASST, 2000, 5000),
            ("Contributo affitto", FundingSource.COMUNE, 900, 3600),
        ],
    ),
    (
        GoalArea.HOUSING,
        "Pasti a domicilio e cura di sé",
        ["Attivazione pasti a domicilio"],
        [("Pasti a domicilio", FundingSource.COMUNE, 600, 1800), ("Compartecipazione", FundingSource.PERSON, 100, 400)],
    ),
    (
        GoalArea.WORK,
        "Tirocinio extracurricolare in cooperativa di tipo B",
        ["Bilancio di competenze", "Ricerca e avvio del tirocinio", "Tutoraggio in azienda"],
        [
            ("Indennità di tirocinio", FundingSource.OTHER, 1800, 3600),
            ("Tutor Polo Lavoro", FundingSource.ASST, 500, 1500),
        ],
    ),
    (
        GoalArea.WORK,
        "Corso di formazione professionale",
        ["Iscrizione al corso", "Monitoraggio della frequenza"],
        [("Quota di iscrizione", FundingSource.OTHER, 200, 800)],
    ),
    (
        GoalArea.SOCIAL,
        "Partecipare a un gruppo di socializzazione con esperti in supporto tra pari",
        ["Inserimento nel gruppo del giovedì"],
        [("Attività di gruppo", FundingSource.ASST, 300, 900), ("Trasporti", FundingSource.PERSON, 50, 200)],
    ),
    (
        GoalArea.HEALTH,
        "Continuità delle cure con il CPS",
        ["Colloqui mensili con lo psichiatra di riferimento"],
        [("Visite specialistiche", FundingSource.ASST, 0, 600)],
    ),
    (
        GoalArea.JUSTICE,
        "Percorso di reinserimento dopo l'uscita dal carcere",
        ["Raccordo con UEPE", "Disbrigo pratiche documenti"],
        [("Mediazione sociale", FundingSource.COMUNE, 800, 2400)],
    ),
]
OPERATORS = ["Educatrice professionale", "Assistente sociale", "Tecnico della riabilitazione", "Tutor Polo Lavoro"]


def _cost(rng: random.Random, low: int, high: int) -> Decimal:
    return Decimal(rng.randrange(low, high + 1, 50) if high > low else low).quantize(Decimal("0.01"))


def _fill(plan: Plan, rng: random.Random, partners: list[int], starts_on: datetime.date) -> list[Goal]:
    goals = []
    for area, title, actions, resources in rng.sample(CATALOGUE, k=rng.randint(2, 4)):
        goal = Goal.objects.create(plan=plan, area=area, title=title)
        goals.append(goal)
        for n, description in enumerate(actions):
            org = plan.organisation_id if n == 0 or not partners else rng.choice([plan.organisation_id, *partners])
            PlanAction.objects.create(
                goal=goal,
                description=description,
                organisation_id=org,
                operator_name=rng.choice(OPERATORS),
                starts_on=starts_on,
                due_on=starts_on + datetime.timedelta(days=rng.randint(60, 300)),
            )
        for description, source, low, high in resources:
            Resource.objects.create(
                goal=goal, description=description, funding_source=source, cost=_cost(rng, low, high)
            )
    return goals


def _approve(plan: Plan, approver_id: int, on: datetime.date) -> None:
    plan.status = PlanStatus.ACTIVE
    plan.person_agreed = True
    plan.agreed_on = on
    plan.approved_at = timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))
    plan.approved_by_id = approver_id
    plan.version = 2
    plan.save()


def seed_plans(*, rng: random.Random, today: datetime.date | None = None, share: float = SHARE) -> int:
    """Create demo plans for about `share` of the persons with an open case; returns how many plan versions."""
    today = today or timezone.localdate()
    partners = list(
        Organisation.objects.filter(is_active=True).exclude(kind__in=NON_CARE_KINDS).values_list("pk", flat=True)
    )
    planned = set(Plan.objects.values_list("person_id", flat=True))
    cases = (
        Case.objects.filter(closed_on__isnull=True, person__merged_into__isnull=True, case_manager__isnull=False)
        .exclude(person_id__in=planned)
        .order_by("person_id", "opened_on", "pk")
        .values_list("person_id", "organisation_id", "case_manager_id", "opened_on")
    )
    base = rng.getrandbits(32)
    seen: set[int] = set()
    created = 0
    with transaction.atomic():
        for person_id, org_id, manager_id, opened_on in cases:
            if person_id in seen:
                continue
            seen.add(person_id)
            local = random.Random(base ^ person_id)
            if local.random() >= share:
                continue
            starts_on = min(today, opened_on + datetime.timedelta(days=local.randint(20, 90)))
            others = [p for p in partners if p != org_id]
            versions = 2 if local.random() < 0.3 else 1
            previous = None
            for number in range(1, versions + 1):
                plan = Plan.objects.create(
                    person_id=person_id,
                    organisation_id=org_id,
                    number=number,
                    previous=previous,
                    title="Progetto individuale di vita",
                    starts_on=starts_on,
                    ends_on=starts_on + datetime.timedelta(days=365),
                    created_by_id=manager_id,
                )
                goals = _fill(plan, local, local.sample(others, k=min(2, len(others))), starts_on)
                review = Review.objects.create(plan=plan, planned_on=starts_on + datetime.timedelta(days=120))
                Review.objects.create(plan=plan, planned_on=starts_on + datetime.timedelta(days=300))
                if previous is not None:
                    Plan.objects.filter(pk=previous.pk).update(status=PlanStatus.SUPERSEDED)
                _approve(plan, manager_id, starts_on)
                if review.planned_on <= today:
                    review.held_on, review.recorded_by_id = review.planned_on, manager_id
                    review.save()
                    GoalOutcome.objects.bulk_create(
                        GoalOutcome(review=review, goal=g, outcome=local.choice(Outcome.values)) for g in goals
                    )
                PlanRevision.objects.create(
                    plan=plan, version=plan.version, snapshot=snapshots.snapshot(plan), saved_by_id=manager_id
                )
                previous = plan
                created += 1
    return created
