"""Fixtures of the plans tests: a draft plan of person_a with one costed goal, ready to approve."""

import datetime
from decimal import Decimal

import pytest

from plans import services


@pytest.fixture
def draft(cast, person_a):
    """A draft by Sacco's operator: one housing goal with an action and two resources, a review date, agreed."""
    plan = services.plan_create(actor=cast.operator_a, person=person_a)
    goal = services.goal_save(
        actor=cast.operator_a, plan=plan, version=plan.version, area="housing", title="Vivere da sola"
    )
    plan.refresh_from_db()
    services.action_save(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        goal=goal,
        description="Supporto domiciliare settimanale",
        organisation=cast.org_a,
        operator_name="Educatrice",
        due_on=datetime.date(2026, 6, 30),
    )
    plan.refresh_from_db()
    services.resource_save(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        goal=goal,
        description="Educatore 4 ore a settimana",
        funding_source="asst",
        cost=Decimal("3200.00"),
    )
    plan.refresh_from_db()
    services.resource_save(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        goal=goal,
        description="Affitto",
        funding_source="comune",
        cost=Decimal("1800.50"),
    )
    plan.refresh_from_db()
    services.review_date_add(
        actor=cast.operator_a, plan=plan, version=plan.version, planned_on=datetime.date(2026, 3, 1)
    )
    plan.refresh_from_db()
    services.plan_update(
        actor=cast.operator_a,
        plan=plan,
        version=plan.version,
        title="Progetto di vita",
        starts_on=datetime.date(2025, 2, 1),
        ends_on=datetime.date(2026, 12, 31),
        person_agreed=True,
        agreed_on=datetime.date(2025, 2, 1),
        agreement_note="",
    )
    plan.refresh_from_db()
    return plan
