"""Demo assessments over time for part of the demo persons: employability every few months (a history to
chart), a skills balance and an ICF functioning checklist for some. Plain rows, bulk-inserted, no audit events
(seeding is not a user action). Idempotent: persons who already have assessments are skipped.

seed_demo calls `seed_assessments(rng=random.Random(seed), today=timezone.localdate())` after the persons.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from accounts.choices import PERSON_WRITE_ROLES, UnitKind
from accounts.models import Membership
from assessments.choices import AssessmentStatus, ItemType
from assessments.definitions import iter_items
from assessments.loader import load_instruments
from assessments.models import Assessment, AssessmentRevision
from assessments.scoring import score
from assessments.selectors import current_versions
from cases.models import Case
from plans.vocabulary import load_vocabulary

SHARE = 0.3  # of the persons with a Polo Lavoro case
BATCH = 2000


def _answer(item: dict, level: float, rng: random.Random):
    """An answer around `level` (0 = worst, 1 = best) for scored items; plausible values for the others."""
    kind = item["type"]
    if kind in (ItemType.ORDINAL, ItemType.SINGLE_CHOICE):
        scored = [o for o in item["options"] if o.get("value") is not None]
        if not scored:
            return rng.choice(item["options"])["code"]
        ordered = sorted(scored, key=lambda o: o["value"])
        if item.get("code"):
            ordered.reverse()  # ICF qualifiers: the lowest value (no problem, a facilitator) is the best
        position = min(len(ordered) - 1, max(0, round(level * (len(ordered) - 1) + rng.uniform(-0.8, 0.8))))
        if item.get("reverse"):
            position = len(ordered) - 1 - position
        return ordered[position]["code"]
    if kind == ItemType.MULTIPLE_CHOICE:
        return sorted(o["code"] for o in rng.sample(item["options"], k=min(2, len(item["options"]))))
    if kind == ItemType.NUMBER:
        low, high = item.get("min") or 0, item.get("max") or 10
        return rng.randint(int(low), int(min(high, low + 10)))
    return None  # dates, free text and groups are left empty in the demo


def _answers(definition: dict, level: float, rng: random.Random) -> dict:
    answers = {}
    for _section, item in iter_items(definition):
        value = _answer(item, level, rng)
        if value is not None:
            answers[item["id"]] = value
    return answers


def _authors() -> dict[int, list[tuple[int, int]]]:
    """(user, organisation) of the writing members of each Polo Lavoro unit."""
    authors: dict[int, list[tuple[int, int]]] = {}
    rows = Membership.objects.filter(
        is_active=True, role__in=PERSON_WRITE_ROLES, unit__kind=UnitKind.POLO_LAVORO
    ).values_list("unit_id", "user_id", "unit__organisation_id")
    for unit_id, user_id, org_id in rows.order_by("pk"):
        authors.setdefault(unit_id, []).append((user_id, org_id))
    return authors


def seed_assessments(*, rng: random.Random, today: datetime.date | None = None, share: float = SHARE) -> int:
    """Create demo assessments for about `share` of the persons with a Polo Lavoro case; returns how many."""
    today = today or timezone.localdate()
    load_vocabulary()  # the instruments' items name its terms
    load_instruments()
    versions = {v.instrument.code: v for v in current_versions()}
    authors = _authors()
    assessed = set(Assessment.objects.values_list("person_id", flat=True).distinct())
    cases = (
        Case.objects.filter(unit__kind=UnitKind.POLO_LAVORO, person__merged_into__isnull=True)
        .exclude(person_id__in=assessed)
        .order_by("person_id", "opened_on", "pk")
        .values_list("person_id", "unit_id", "organisation_id", "case_manager_id", "opened_on", "closed_on")
    )
    rows: list[Assessment] = []
    seen: set[int] = set()
    # Each person's draw comes from their own generator, so a second run decides the same for the persons it
    # already saw (and adds nothing), and persons added later get theirs.
    base = rng.getrandbits(32)
    for person_id, unit_id, org_id, manager_id, opened_on, closed_on in cases:
        if person_id in seen:
            continue
        seen.add(person_id)
        rng = random.Random(base ^ person_id)
        if rng.random() >= share or unit_id not in authors:
            continue
        author_id = manager_id or rng.choice(authors[unit_id])[0]
        end = min(closed_on or today, today)
        day = opened_on + datetime.timedelta(days=rng.randint(7, 40))
        level = rng.uniform(0.15, 0.6)
        plan = [("employability", day)]
        if rng.random() < 0.5:
            plan.append(("skills_balance", day + datetime.timedelta(days=rng.randint(5, 30))))
        if rng.random() < 0.3:
            plan.append(("icf_vocational", day + datetime.timedelta(days=rng.randint(5, 30))))
        follow = day
        for _ in range(rng.randint(0, 4)):
            follow += datetime.timedelta(days=rng.randint(110, 200))
            plan.append(("employability", follow))
        last = len(plan) - 1
        for n, (code, on) in enumerate(sorted(plan, key=lambda p: p[1])):
            if on > end or code not in versions:
                continue
            version = versions[code]
            level = min(1.0, level + rng.uniform(-0.05, 0.15)) if code == "employability" else level
            answers = _answers(version.definition, level, rng)
            result = score(version.definition, answers)
            draft = n == last and rng.random() < 0.2
            moment = timezone.make_aware(datetime.datetime.combine(on, datetime.time(11, 0)))
            rows.append(
                Assessment(
                    person_id=person_id,
                    instrument_version=version,
                    organisation_id=org_id,
                    unit_id=unit_id,
                    author_id=author_id,
                    status=AssessmentStatus.DRAFT if draft else AssessmentStatus.COMPLETED,
                    assessed_on=on,
                    answers=answers,
                    scores=result,
                    total=result["total"],
                    band=result["band"] or "",
                    completed_at=None if draft else moment,
                    completed_by_id=None if draft else author_id,
                    version=2,
                )
            )
    with transaction.atomic():
        created = Assessment.objects.bulk_create(rows, batch_size=BATCH)
        AssessmentRevision.objects.bulk_create(
            [AssessmentRevision(assessment=a, version=2, answers=a.answers, saved_by_id=a.author_id) for a in created],
            batch_size=BATCH,
        )
    return len(created)
