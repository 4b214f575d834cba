"""Governance pages: the home's sections and filters, forms that refuse bad input and save nothing, decisions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from governance.choices import AgreementStatus, MeetingKind
from governance.models import Agreement, Decision, Meeting
from governance.tests.conftest import make_agreement, make_decision, make_meeting

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HOME = reverse("governance:home")


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def test_the_home_filters_agreements_by_status_and_programme(cast, client_for, programme):
    signed = make_agreement(
        cast, title="Firmato", status=AgreementStatus.SIGNED, signed_on=days(-30), programme=programme
    )
    drafting = make_agreement(cast, title="In bozza")
    client = client_for(cast.operator_a)
    assert client.get(HOME).context["agreements"] == [signed, drafting]
    assert client.get(HOME, {"status": "signed"}).context["agreements"] == [signed]
    assert client.get(HOME, {"programme": programme.pk}).context["agreements"] == [signed]
    assert client.get(HOME, {"status": "drafting", "programme": programme.pk}).context["agreements"] == []
    # An unknown status is ignored, not an error.
    assert client.get(HOME, {"status": "nonsense"}).context["agreements"] == [signed, drafting]


def test_an_htmx_filter_gets_only_the_agreements_partial(cast, client_for):
    make_agreement(cast, title="In bozza")
    response = client_for(cast.operator_a).get(HOME, {"status": "drafting"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'id="agreement-results"' in html and "In bozza" in html
    assert "<html" not in html and 'data-testid="upcoming"' not in html


def test_the_home_shows_renewals_due_meetings_and_overdue_decisions(cast, client_for):
    soon = make_agreement(cast, title="Da rinnovare", status=AgreementStatus.SIGNED, signed_on=days(-300),
                          renewal_on=days(30))  # fmt: skip
    make_agreement(cast, title="Lontano", status=AgreementStatus.SIGNED, signed_on=days(-300), renewal_on=days(90))
    lapsed = make_agreement(cast, title="Scaduto", status=AgreementStatus.TO_RENEW, signed_on=days(-400),
                            renewal_on=days(-5))  # fmt: skip
    past = make_meeting(cast, held_on=days(-20))
    coming = make_meeting(cast, held_on=days(10), kind=MeetingKind.CABINA)
    make_meeting(cast, held_on=days(12), cancelled=True)
    overdue = make_decision(past, due_on=days(-1))
    make_decision(past, due_on=days(5))
    done = make_decision(past, due_on=days(-3))
    Decision.objects.filter(pk=done.pk).update(done=True, done_on=days(-4))
    page = client_for(cast.operator_a).get(HOME)
    assert page.context["to_renew"] == [lapsed, soon]
    assert page.context["upcoming"] == [coming]
    assert page.context["past"] == [past]
    assert page.context["past"][0].open_decisions == 2
    assert page.context["overdue"] == [overdue]


def test_the_home_asks_the_same_number_of_queries_whatever_the_data(cast, client_for):
    client = client_for(cast.operator_a)
    make_agreement(cast, title="Uno", parties=[cast.org_a, cast.org_b])
    make_decision(make_meeting(cast, held_on=days(-3)), due_on=days(-1))
    client.get(HOME)
    with CaptureQueriesContext(connection) as few:
        client.get(HOME)
    for n in range(5):
        make_agreement(cast, title=f"Altro {n}", parties=[cast.org_a, cast.org_b, cast.company])
        make_decision(make_meeting(cast, held_on=days(-n - 5)), due_on=days(-1))
        make_meeting(cast, held_on=days(n + 1))
    with CaptureQueriesContext(connection) as many:
        client.get(HOME)
    assert len(many) == len(few)


def agreement_post(cast, **fields):
    data = {
        "title": "Protocollo operativo UVM",
        "parties": [cast.org_a.pk, cast.org_b.pk],
        "status": "signed",
        "signed_on": days(-10).isoformat(),
        "renewal_on": days(355).isoformat(),
        "next_priorities": "Verifica annuale",
        "notes": "",
        "programme": "",
    }
    data.update(fields)
    return data


def test_creating_an_agreement_with_a_renewal_before_signing_shows_the_error_and_saves_nothing(cast, client_for):
    client = client_for(cast.coordinator_a)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("governance:agreement_create"),
        agreement_post(cast, renewal_on=days(-20).isoformat()),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "The renewal date must come after the date of signature." in response.content.decode()
    assert response.context["form"].errors["renewal_on"]
    assert not Agreement.objects.exists()
    assert AuditEvent.objects.count() == events


def test_creating_an_agreement_with_missing_fields_shows_errors(cast, client_for):
    response = client_for(cast.coordinator_a).post(reverse("governance:agreement_create"), {"status": "bogus"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"title", "parties", "status"}
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Agreement.objects.exists()


def test_creating_and_changing_an_agreement(cast, client_for, programme):
    client = client_for(cast.coordinator_a)
    assert client.get(reverse("governance:agreement_create")).status_code == 200
    response = client.post(reverse("governance:agreement_create"), agreement_post(cast, programme=programme.pk))
    agreement = Agreement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("governance:agreement_detail", args=[agreement.pk])
    assert agreement.programme == programme and agreement.status == "signed"
    edit = reverse("governance:agreement_edit", args=[agreement.pk])
    assert client.get(edit).context["form"].initial["title"] == "Protocollo operativo UVM"
    refused = client.post(edit, agreement_post(cast, status="absent", signed_on="", renewal_on=""))
    assert refused.status_code == 400 and "status" in refused.context["form"].errors
    assert client.post(edit, agreement_post(cast, status="to_renew")).status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == "to_renew"
    page = client.get(reverse("governance:agreement_detail", args=[agreement.pk]))
    assert page.status_code == 200 and page.context["can_change"]


def meeting_post(cast, **fields):
    data = {
        "kind": "cabina",
        "title": "Cabina di Pilotaggio n. 1",
        "held_on": days(-2).isoformat(),
        "programme": "",
        "organisation": cast.org_a.pk,
        "organisations": [cast.org_b.pk],
        "participants": [cast.coordinator_a.pk, cast.coordinator_b.pk],
        "agenda": "Avvio",
        "minutes": "Approvato il piano",
    }
    data.update(fields)
    return data


def test_creating_a_meeting_with_bad_input_shows_errors_and_saves_nothing(cast, client_for):
    client = client_for(cast.coordinator_a)
    no_date = client.post(reverse("governance:meeting_create"), meeting_post(cast, held_on="not a date"))
    assert no_date.status_code == 400 and "held_on" in no_date.context["form"].errors
    future_minutes = client.post(reverse("governance:meeting_create"), meeting_post(cast, held_on=days(3).isoformat()))
    assert future_minutes.status_code == 400 and "minutes" in future_minutes.context["form"].errors
    other_organiser = client.post(reverse("governance:meeting_create"), meeting_post(cast, organisation=cast.org_b.pk))
    assert other_organiser.status_code == 400 and "organisation" in other_organiser.context["form"].errors
    assert not Meeting.objects.exists()


def test_recording_a_meeting_its_decisions_and_marking_one_done(cast, client_for):
    client = client_for(cast.coordinator_a)
    assert client.get(reverse("governance:meeting_create")).status_code == 200
    response = client.post(reverse("governance:meeting_create"), meeting_post(cast))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and meeting.minutes == "Approvato il piano"
    detail = reverse("governance:meeting_detail", args=[meeting.pk])
    add = reverse("governance:decision_add", args=[meeting.pk])
    bad = client.post(add, {"text": "", "owner_organisation": "", "owner_user": "", "due_on": ""})
    assert bad.status_code == 400 and "text" in bad.context["decision_form"].errors
    assert not Decision.objects.exists()
    ok = client.post(add, {"text": "Bozza del protocollo", "owner_organisation": cast.org_b.pk, "due_on": days(20)})
    assert ok.status_code == 302
    decision = Decision.objects.get()
    page = client.get(detail)
    assert page.context["decisions"][0].can_mark
    # Coordinator B, whose organisation owns the decision, marks it done.
    done = client_for(cast.coordinator_b).post(reverse("governance:decision_done", args=[decision.pk]))
    assert done.status_code == 302 and done["Location"] == detail
    decision.refresh_from_db()
    assert decision.done and decision.done_by == cast.coordinator_b


def test_editing_a_meeting_keeps_its_organiser(cast, client_for):
    meeting = make_meeting(cast, organisations=[cast.org_b], held_on=days(-5))
    client = client_for(cast.coordinator_b)  # a participating organisation's coordinator
    edit = reverse("governance:meeting_edit", args=[meeting.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, meeting_post(cast, participants=[cast.coordinator_b.pk], minutes="Verbale"))
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.organisation == cast.org_a and meeting.minutes == "Verbale"
