"""Convening and editing joint evaluations through the API: participants, the conclusion and proposed goals,
signatures cleared by a change, the plan proposal; 409 on a stale version, another organisation's 404, 403 for
roles and organisations that may not change it, 400 with nothing saved, audit."""

import pytest

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_consent
from plans.models import Evaluation, Participant, Plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared(cast, person_a):
    """Person A has consented to share their record with organisation B."""
    return make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)


def convene(api, who, **extra):
    return api.post(
        "/api/v1/evaluations/", {"person": who.pk, "held_on": "2025-03-10", "role": "Case manager", **extra}
    )


def test_convene_edit_sign_and_propose_the_plan(cast, person_a, shared, api_for):
    api = api_for(cast.operator_a)
    created = convene(api, person_a, place="CPS")
    assert created.status_code == 201, created.json()
    evaluation = created.json()
    assert (evaluation["status"], evaluation["place"], len(evaluation["participants"])) == ("open", "CPS", 1)
    url = f"/api/v1/evaluations/{evaluation['id']}"

    added = api.post(
        f"{url}/participants/", {"version": evaluation["version"], "user": cast.operator_b.pk, "role": "TeRP"}
    )
    assert added.status_code == 200, added.json()
    assert {p["organisation"] for p in added.json()["participants"]} == {cast.org_a.pk, cast.org_b.pk}
    edited = api.patch(
        f"{url}/",
        {
            "version": added.json()["version"],
            "conclusion": "Casa e lavoro insieme.",
            "proposals": {"housing": "Vivere da sola", "work": "Un tirocinio\nUn corso"},
        },
    )
    assert edited.status_code == 200, edited.json()
    assert edited.json()["place"] == "CPS" and edited.json()["proposals"]["work"] == "Un tirocinio\nUn corso"
    version = edited.json()["version"]
    assert api.post(f"{url}/sign/", {"version": version}).status_code == 200
    last = api_for(cast.operator_b).post(f"{url}/sign/", {"version": version})
    assert last.status_code == 200 and last.json()["status"] == "complete"

    proposed = api.post(f"{url}/propose/")
    assert proposed.status_code == 201, proposed.json()
    assert sorted(g["title"] for g in proposed.json()["goals"]) == ["Un corso", "Un tirocinio", "Vivere da sola"]
    assert Plan.objects.get().evaluation_id == evaluation["id"]
    saves = AuditEvent.objects.filter(action=Action.EVALUATION_SAVE, object_id=str(evaluation["id"]), person=person_a)
    assert saves.count() == 3  # created, participant, content

    # Complete: it never changes again.
    late = api.patch(f"{url}/", {"version": last.json()["version"], "conclusion": "Altro"})
    assert late.status_code == 403
    assert Evaluation.objects.get(pk=evaluation["id"]).conclusion == "Casa e lavoro insieme."


def test_a_change_clears_signatures_and_a_stale_edit_is_a_409(cast, person_a, shared, api_for):
    api = api_for(cast.operator_a)
    evaluation = convene(api, person_a).json()
    url = f"/api/v1/evaluations/{evaluation['id']}"
    added = api.post(f"{url}/participants/", {"version": 1, "user": cast.operator_b.pk, "role": "TeRP"}).json()
    concluded = api.patch(f"{url}/", {"version": added["version"], "conclusion": "Prima versione"}).json()
    assert api.post(f"{url}/sign/", {"version": concluded["version"]}).status_code == 200
    changed = api.patch(f"{url}/", {"version": concluded["version"], "conclusion": "Seconda versione"})
    assert changed.status_code == 200
    assert all(p["signed_at"] is None for p in changed.json()["participants"])
    stale = api.patch(f"{url}/", {"version": concluded["version"], "conclusion": "Terza versione"})
    assert stale.status_code == 409 and stale.json()["version"] == changed.json()["version"]
    assert Evaluation.objects.get(pk=evaluation["id"]).conclusion == "Seconda versione"
    participant = Participant.objects.get(evaluation_id=evaluation["id"], user=cast.operator_b)
    removed = api.delete(f"{url}/participants/{participant.pk}/?version={changed.json()['version']}")
    assert removed.status_code == 200 and len(removed.json()["participants"]) == 1
    convener = Participant.objects.get(evaluation_id=evaluation["id"])
    last = api.delete(f"{url}/participants/{convener.pk}/?version={removed.json()['version']}")
    assert last.status_code == 400 and last.json()["non_field_errors"]  # an evaluation keeps one participant
    assert Participant.objects.filter(evaluation_id=evaluation["id"]).count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"proposals": {"moon": "Andare sulla luna"}}, "proposals"),
        ({"held_on": "2025-02-30"}, "held_on"),
        ({"assessments": [987654]}, "assessments"),
        ({"version": 0}, "version"),
    ],
)
def test_bad_edits_are_400_and_nothing_is_saved(cast, person_a, api_for, body, field):
    api = api_for(cast.operator_a)
    evaluation = convene(api, person_a).json()
    with api.sending_invalid_requests():
        response = api.patch(f"/api/v1/evaluations/{evaluation['id']}/", {"version": 1, "conclusion": "X", **body})
    assert response.status_code == 400 and field in response.json(), response.json()
    row = Evaluation.objects.get(pk=evaluation["id"])
    assert (row.conclusion, row.version, row.proposals) == ("", 1, {})


def test_bad_creations_and_participants_are_400(cast, person_a, api_for):
    api = api_for(cast.operator_a)
    with api.sending_invalid_requests():
        no_role = convene(api, person_a, role="")
        no_person = convene(api, person_a, person=987654)
    assert no_role.status_code == 400 and "role" in no_role.json()
    assert no_person.status_code == 400 and "person" in no_person.json()
    assert Evaluation.objects.count() == 0
    evaluation = convene(api, person_a).json()
    # Without a sharing consent, organisation B's professional does not see the person: refused.
    outsider = api.post(
        f"/api/v1/evaluations/{evaluation['id']}/participants/", {"version": 1, "user": cast.operator_b.pk, "role": "X"}
    )
    assert outsider.status_code == 400 and "user" in outsider.json()
    assert Participant.objects.filter(evaluation_id=evaluation["id"]).count() == 1


def test_other_organisations_and_read_only_roles(cast, person_a, shared, api_for):
    api = api_for(cast.operator_a)
    evaluation = convene(api, person_a).json()
    url = f"/api/v1/evaluations/{evaluation['id']}"
    # Organisation B sees the person through the consent but takes no part: it does not reach the evaluation.
    hidden = api_for(cast.coordinator_b).patch(f"{url}/", {"version": 1, "conclusion": "X"})
    missing = api_for(cast.coordinator_b).patch("/api/v1/evaluations/987654/", {"version": 1, "conclusion": "X"})
    assert hidden.status_code == missing.status_code == 404 and hidden.json() == missing.json()
    # A participant of organisation B reads and signs, but only the convening organisation changes it.
    api.post(f"{url}/participants/", {"version": 1, "user": cast.operator_b.pk, "role": "TeRP"})
    participant = api_for(cast.operator_b)
    assert participant.get(f"{url}/").status_code == 200
    assert participant.patch(f"{url}/", {"version": 2, "conclusion": "X"}).status_code == 403
    # Organisation B may not convene an evaluation of a person it does not treat.
    assert convene(participant, person_a).status_code == 403
    for user in (cast.peer_a, cast.analyst):
        assert api_for(user).patch(f"{url}/", {"version": 2, "conclusion": "X"}).status_code == 403
        assert convene(api_for(user), person_a).status_code == 403
    row = Evaluation.objects.get(pk=evaluation["id"])
    assert (row.conclusion, row.version, Evaluation.objects.count()) == ("", 2, 1)
