"""History with its real dates: a past closed case next to the open one, and a referral accepted on a past day."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from audit.choices import Action
from audit.models import AuditEvent
from cases import services
from cases.models import Case, Referral
from core.testing.cast import make_case, make_consent, make_person

D = datetime.date


def record(cast, person, **over):
    data = {
        "person": person,
        "unit": cast.unit_a,
        "area": "work",
        "opened_on": D(2015, 3, 1),
        "closed_on": D(2017, 6, 30),
        "closing_reason": "goals_met",
        "closing_note": "Assunta",
    }
    data.update(over)
    return services.case_record_closed(actor=cast.coordinator_a, **data)


def test_a_past_closed_case_goes_in_next_to_the_open_case_of_the_same_unit_and_area(cast, person_a):
    open_case = Case.objects.get(person=person_a)
    case = record(cast, person_a, case_manager=cast.operator_a, detail={"imported": 7})
    assert (case.opened_on, case.closed_on, case.status, case.closing_reason, case.closing_note) == (
        D(2015, 3, 1), D(2017, 6, 30), "closed", "goals_met", "Assunta"
    )  # fmt: skip
    assert (case.organisation, case.unit, case.case_manager) == (cast.org_a, cast.unit_a, cast.operator_a)
    assert Case.objects.filter(person=person_a).count() == 2 and Case.objects.get(pk=open_case.pk).is_open
    events = AuditEvent.objects.filter(person=person_a, object_id=str(case.pk), action__startswith="case.").order_by(
        "pk"
    )
    assert [e.action for e in events] == [Action.CASE_OPEN, Action.CASE_CLOSE]
    assert all(e.detail["historical"] and e.detail["imported"] == 7 for e in events)


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"opened_on": D(2024, 1, 1), "closed_on": D(2025, 2, 1)}, "opened_on", "the dates overlap"),
        ({"opened_on": D(2025, 2, 1), "closed_on": D(2025, 3, 1)}, "opened_on", "the dates overlap"),
        ({"closed_on": D(2014, 1, 1)}, "closed_on", "cannot be before 01/03/2015"),
        ({"closed_on": timezone.localdate() + datetime.timedelta(days=1)}, "closed_on", "cannot be in the future"),
        ({"opened_on": None}, "opened_on", "Give the day the case was opened"),
        ({"closed_on": None}, "closed_on", "Give the day the case was closed"),
        ({"closing_reason": ""}, "closing_reason", "Say why the case was closed"),
        ({"closing_reason": "bored"}, "closing_reason", "is not a valid choice"),
        ({"case_manager": "operator_b"}, "case_manager", "must be an operator, coordinator or clinician"),
    ],
)
def test_a_past_case_with_wrong_dates_or_values_is_refused_and_nothing_is_saved(cast, person_a, over, field, message):
    if over.get("case_manager"):
        over["case_manager"] = cast.operator_b
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            record(cast, person_a, **over)
        assert message in " ".join(error.value.message_dict[field])
    assert Case.objects.filter(person=person_a).count() == 1
    assert not AuditEvent.objects.filter(action=Action.CASE_CLOSE).exists()


def test_touching_cases_do_not_overlap(cast, person_a):
    """A case closed on the day the next one opens is history, not an overlap."""
    record(cast, person_a, opened_on=D(2020, 1, 1), closed_on=D(2025, 1, 15))
    record(cast, person_a, opened_on=D(2018, 1, 1), closed_on=D(2020, 1, 1))
    assert Case.objects.filter(person=person_a, closed_on__isnull=False).count() == 2
    with pytest.raises(ValidationError):
        record(cast, person_a, opened_on=D(2019, 1, 1), closed_on=D(2019, 6, 1))


def test_only_an_organisation_that_follows_the_person_records_their_history(cast, person_a):
    stranger = make_person(registered_by=cast.org_b)
    make_consent(person=stranger, organisation=cast.org_a, recorded_by=cast.operator_b)  # sharing: reads, not treats
    with pytest.raises(ValidationError) as error:
        record(cast, stranger)
    assert error.value.error_dict["unit"][0].code == "no_consent"
    with pytest.raises(ValidationError):
        services.case_record_closed(
            actor=cast.coordinator_b, person=person_a, unit=cast.unit_a, area="work", opened_on=D(2015, 1, 1),
            closed_on=D(2016, 1, 1), closing_reason="moved",
        )  # fmt: skip
    hidden = make_person(registered_by=cast.org_b)
    with pytest.raises(PermissionDenied):
        record(cast, hidden)
    assert not Case.objects.filter(person__in=[stranger, hidden]).exists()
    assert Case.objects.filter(person=person_a).count() == 1


def test_a_closed_unit_may_hold_history(cast, person_a):
    cast.cps_a.is_active = False
    cast.cps_a.save()
    case = record(cast, person_a, unit=cast.cps_a, area="housing")
    assert case.unit == cast.cps_a and not case.is_open


# ---------------------------------------------------------------------------------------------- referrals


@pytest.fixture
def old_referral(cast):
    """A referral of a person of A to B's Polo Lavoro sent on 10/03/2015, resting on a sharing consent of 2014."""
    person = make_person(registered_by=cast.org_a)
    consent = make_consent(
        person=person, organisation=cast.org_b, recorded_by=cast.operator_a, given_on=D(2014, 1, 1),
        withdrawn_on=D(2016, 1, 1),
    )  # fmt: skip
    return Referral.objects.create(
        person=person, from_unit=cast.unit_a, to_unit=cast.unit_b, from_organisation=cast.org_a,
        to_organisation=cast.org_b, area="work", reason="Inserimento", consent=consent,
        sent_at=timezone.make_aware(datetime.datetime(2015, 3, 10, 12)), sent_by=cast.operator_a,
    )  # fmt: skip


def test_a_referral_accepted_on_a_past_day_opens_its_case_that_day(cast, old_referral):
    case = services.referral_accept_on(
        actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 3, 24), case_manager=cast.operator_b,
        detail={"imported": 3},
    )  # fmt: skip
    old_referral.refresh_from_db()
    assert (old_referral.status, old_referral.case, old_referral.decided_by) == ("accepted", case, cast.coordinator_b)
    assert timezone.localtime(old_referral.decided_at).date() == D(2015, 3, 24)
    assert (case.opened_on, case.unit, case.case_manager, case.is_open) == (
        D(2015, 3, 24), cast.unit_b, cast.operator_b, True
    )  # fmt: skip
    accept = AuditEvent.objects.get(action=Action.REFERRAL_ACCEPT)
    assert accept.detail == {"case": case.pk, "decided_on": "2015-03-24", "imported": 3}
    assert AuditEvent.objects.get(action=Action.CASE_OPEN).detail == {"referral": old_referral.pk, "imported": 3}


def test_a_referral_accepted_on_a_past_day_links_the_case_already_recorded(cast, old_referral):
    case = make_case(person=old_referral.person, unit=cast.unit_b, opened_on=D(2015, 4, 1))
    got = services.referral_accept_on(
        actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 3, 24), case=case
    )
    assert got == case and Case.objects.count() == 1
    assert not AuditEvent.objects.filter(action=Action.CASE_OPEN).exists()


def test_a_past_acceptance_follows_the_rules_at_its_date(cast, old_referral):
    other_unit_case = make_case(person=old_referral.person, unit=cast.unit_a, opened_on=D(2015, 4, 1))
    attempts = [
        (cast.coordinator_b, {"decided_on": D(2016, 2, 1)}, "decided_on"),  # consent withdrawn by then
        (cast.coordinator_b, {"decided_on": D(2015, 3, 1)}, "decided_on"),  # before it was sent
        (cast.coordinator_b, {"decided_on": timezone.localdate() + datetime.timedelta(days=1)}, "decided_on"),
        (cast.coordinator_b, {"decided_on": D(2015, 3, 24), "case": other_unit_case}, "case"),
        (cast.coordinator_b, {"decided_on": D(2015, 3, 24), "case_manager": cast.operator_a}, "case_manager"),
        (cast.coordinator_a, {"decided_on": D(2015, 3, 24)}, "__all__"),  # the sender does not decide
    ]
    for actor, over, field in attempts:
        with pytest.raises(ValidationError) as error:
            services.referral_accept_on(actor=actor, referral=old_referral, **over)
        assert field in error.value.error_dict if hasattr(error.value, "error_dict") else field == "__all__", over
    old_referral.refresh_from_db()
    assert old_referral.status == "sent" and Case.objects.count() == 1
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_ACCEPT).exists()
    services.referral_accept_on(actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 3, 24))
    with pytest.raises(ValidationError):  # no longer waiting
        services.referral_accept_on(actor=cast.coordinator_b, referral=old_referral, decided_on=D(2015, 3, 24))
