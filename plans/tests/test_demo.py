"""demo/plans.py: approved, costed plans for part of the persons with an open case; idempotent."""

import random

import pytest

from core.testing.cast import make_case, make_person
from demo.plans import seed_plans
from plans import selectors
from plans.choices import PlanStatus
from plans.models import Plan

pytestmark = pytest.mark.django_db


def test_seed_plans_makes_one_active_costed_plan_per_chosen_person_and_is_idempotent(cast):
    for _ in range(12):
        make_case(person=make_person(registered_by=cast.org_a), unit=cast.unit_a, case_manager=cast.operator_a)
    created = seed_plans(rng=random.Random(3), share=1.0)
    assert created >= 12
    assert Plan.objects.filter(status=PlanStatus.ACTIVE).count() == 12
    plan = Plan.objects.filter(status=PlanStatus.ACTIVE).first()
    assert selectors.budget(selectors.with_content(plan)).total.total > 0
    assert seed_plans(rng=random.Random(3), share=1.0) == 0
