"""Arranging rows for API tests (the cast helpers cover persons, cases and consents)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.testing.cast import make_consent


def make_referral(*, person, from_unit, to_unit, sent_by, area="work", reason="Ready for a job path."):
    """A referral as sent, resting on a sharing consent to the receiving organisation."""
    from cases.models import Referral

    consent = make_consent(person=person, organisation=to_unit.organisation, recorded_by=sent_by)
    return Referral.objects.create(
        person=person,
        from_unit=from_unit,
        to_unit=to_unit,
        from_organisation=from_unit.organisation,
        to_organisation=to_unit.organisation,
        area=area,
        reason=reason,
        consent=consent,
        sent_at=timezone.now(),
        sent_by=sent_by,
    )


def queries_of(call) -> int:
    """How many SQL queries `call()` runs."""
    with CaptureQueriesContext(connection) as ctx:
        call()
    return len(ctx.captured_queries)


def all_keys(data) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(data, dict):
        return set(data) | {key for value in data.values() for key in all_keys(value)}
    if isinstance(data, list):
        return {key for item in data for key in all_keys(item)}
    return set()


def make_accepted_proposal(*, cast, person, host, kind="internship", title="Addetto al magazzino"):
    """An internship opportunity at `host` (an organisation with an employer profile) proposed to `person` by
    organisation A, with both the candidate and the employer having said yes."""
    import datetime

    from opportunities.models import Opportunity, Proposal

    opportunity = Opportunity.objects.create(
        organisation=cast.org_a,
        employer=host.employer_profile,
        kind=kind,
        title=title,
        hours_per_week=30,
        status="open",
    )
    proposal = Proposal(
        opportunity=opportunity,
        person=person,
        organisation=cast.org_a,
        proposed_by=cast.operator_a,
        proposed_on=datetime.date(2026, 8, 1),
        candidate_decision="yes",
        employer_decision="yes",
    )
    proposal.refresh_status()
    proposal.save()
    return proposal


def make_third_organisation(name="ASST Santi Paolo e Carlo"):
    """A third care organisation with a Polo Lavoro, an operator and a coordinator: a group's second conducting
    organisation that is neither A nor B. Returns (organisation, unit, operator, coordinator)."""
    from accounts.choices import OrganisationKind, Role, UnitKind
    from accounts.models import Organisation, Unit
    from core.testing.cast import make_user

    organisation = Organisation.objects.create(name=name, kind=OrganisationKind.ASST)
    unit = Unit.objects.create(organisation=organisation, name="Polo Lavoro Santi Paolo", kind=UnitKind.POLO_LAVORO)
    return (
        organisation,
        unit,
        make_user("operator_c", unit, Role.OPERATOR, first_name="Carla", last_name="Conduttrice"),
        make_user("coordinator_c", unit, Role.COORDINATOR),
    )
