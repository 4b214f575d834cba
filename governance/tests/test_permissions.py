"""Who reaches governance records: parties and participants, the analyst read-only, a 404 for everyone else."""

import pytest
from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from governance.models import Agreement, Decision, Meeting
from governance.tests.conftest import make_agreement, make_decision, make_meeting

pytestmark = pytest.mark.django_db


def test_an_agreement_is_seen_by_its_parties_and_the_analyst(cast):
    agreement = make_agreement(cast, parties=[cast.org_a])
    seen_by = {
        name: Agreement.objects.restrict(getattr(cast, name), "view").filter(pk=agreement.pk).exists()
        for name in ("operator_a", "coordinator_a", "clinician_a", "coordinator_b", "operator_b", "analyst",
                     "company_referent", "sysadmin", "dpo")
    }  # fmt: skip
    assert seen_by == {
        "operator_a": True,
        "coordinator_a": True,
        "clinician_a": True,
        "coordinator_b": False,
        "operator_b": False,
        "analyst": True,
        "company_referent": False,
        "sysadmin": False,
        "dpo": False,
    }
    changed_by = {
        name for name in ("operator_a", "coordinator_a", "coordinator_b", "analyst")
        if Agreement.objects.restrict(getattr(cast, name), "change").filter(pk=agreement.pk).exists()
    }  # fmt: skip
    assert changed_by == {"coordinator_a"}


def test_a_company_that_is_a_party_sees_the_agreement(cast):
    agreement = make_agreement(cast, parties=[cast.org_a, cast.company])
    assert Agreement.objects.restrict(cast.company_referent, "view").filter(pk=agreement.pk).exists()


def test_a_meeting_is_seen_by_organiser_participating_organisations_and_participants(cast):
    own = make_meeting(cast)
    shared = make_meeting(cast, organisations=[cast.org_b])
    invited = make_meeting(cast)
    invited.participants.set([cast.operator_b])
    assert set(Meeting.objects.restrict(cast.operator_b, "view")) == {shared, invited}
    assert set(Meeting.objects.restrict(cast.coordinator_b, "change")) == {shared}
    assert set(Meeting.objects.restrict(cast.analyst, "view")) == {own, shared, invited}
    assert not Meeting.objects.restrict(cast.analyst, "change").exists()
    assert not Meeting.objects.restrict(cast.sysadmin, "view").exists()
    decision = make_decision(own)
    assert not Decision.objects.restrict(cast.operator_b, "view").filter(pk=decision.pk).exists()


@pytest.mark.parametrize("name", ["agreement_detail", "agreement_edit"])
def test_another_organisations_agreement_is_a_404_and_the_attempt_is_audited(cast, client_for, name):
    agreement = make_agreement(cast, parties=[cast.org_a])
    response = client_for(cast.coordinator_b).get(reverse(f"governance:{name}", args=[agreement.pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action=Action.ACCESS_DENIED, actor=cast.coordinator_b, object_type="governance.agreement"
    ).exists()
    missing = client_for(cast.coordinator_b).get(reverse(f"governance:{name}", args=[agreement.pk + 1000]))
    assert missing.status_code == 404


@pytest.mark.parametrize("name", ["meeting_detail", "meeting_edit"])
def test_another_organisations_meeting_is_a_404(cast, client_for, name):
    meeting = make_meeting(cast)
    assert client_for(cast.operator_b).get(reverse(f"governance:{name}", args=[meeting.pk])).status_code == 404


def test_another_organisation_cannot_add_or_close_decisions(cast, client_for):
    meeting = make_meeting(cast)
    decision = make_decision(meeting)
    client = client_for(cast.coordinator_b)
    add = client.post(reverse("governance:decision_add", args=[meeting.pk]), {"text": "x", "owner_organisation": ""})
    assert add.status_code == 404
    assert client.post(reverse("governance:decision_done", args=[decision.pk])).status_code == 404
    decision.refresh_from_db()
    assert not decision.done
    assert Decision.objects.count() == 1


def test_the_analyst_reads_everything_and_changes_nothing(cast, client_for):
    agreement = make_agreement(cast, parties=[cast.org_b])
    meeting = make_meeting(cast, organisation=cast.org_b)
    decision = make_decision(meeting)
    client = client_for(cast.analyst)
    assert client.get(reverse("governance:home")).status_code == 200
    assert client.get(reverse("governance:agreement_detail", args=[agreement.pk])).status_code == 200
    page = client.get(reverse("governance:meeting_detail", args=[meeting.pk]))
    assert page.status_code == 200
    assert page.context["decision_form"] is None and not page.context["can_change"]
    assert client.get(reverse("governance:agreement_create")).status_code == 404
    assert client.post(reverse("governance:agreement_create"), {"title": "x"}).status_code == 404
    assert client.get(reverse("governance:agreement_edit", args=[agreement.pk])).status_code == 404
    assert client.get(reverse("governance:meeting_create")).status_code == 404
    assert client.get(reverse("governance:meeting_edit", args=[meeting.pk])).status_code == 404
    assert client.post(reverse("governance:decision_done", args=[decision.pk])).status_code == 404
    decision.refresh_from_db()
    assert not decision.done


@pytest.mark.parametrize("name", ["sysadmin", "dpo"])
def test_roles_outside_the_network_get_a_404(cast, client_for, name):
    assert client_for(getattr(cast, name)).get(reverse("governance:home")).status_code == 404


def test_the_menu_shows_governance_to_whoever_reaches_it(cast, client_for):
    url = reverse("governance:home")
    assert url in client_for(cast.operator_a).get(reverse("home")).content.decode()
    assert url not in client_for(cast.sysadmin).get(reverse("home")).content.decode()
