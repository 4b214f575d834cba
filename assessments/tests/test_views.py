"""The assessments pages: who reaches what (another organisation's 404, audited), clinical content hidden from
non-clinical roles, filling in with inline errors, the stale save, the history chart, comparing, query counts."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from assessments.tests.conftest import EMPLOYABILITY_CLINICAL, EMPLOYABILITY_NON_CLINICAL
from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import make_case, make_consent, make_person

MISSING_PK = 999_999
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def same_page(response) -> str:
    return _CSRF.sub(r"\1", response.content.decode()).replace(response.wsgi_request.path, "PATH")


def complete(cast, person, version, *, on, answers=None, actor=None):
    actor = actor or cast.clinician_a
    draft = services.assessment_start(actor=actor, person=person, version=version, assessed_on=on)
    data = answers if answers is not None else {**EMPLOYABILITY_NON_CLINICAL, **EMPLOYABILITY_CLINICAL}
    return services.assessment_save(actor=actor, assessment=draft, version=1, answers=data, complete=True)


@pytest.fixture
def done(cast, person_a, instruments):
    return complete(cast, person_a, instruments["employability"], on=datetime.date(2025, 3, 1))


def fill_data(assessment, answers, action="save"):
    data = {"version": assessment.version, "assessed_on": assessment.assessed_on.isoformat(), "action": action}
    for key, value in answers.items():
        data[f"i_{key}"] = value
    return data


# ---------------------------------------------------------------------------------------------- who reaches what


@pytest.mark.parametrize("name", ["assessments:detail", "assessments:fill", "assessments:fhir"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_gets_the_missing_page_and_is_audited(
    cast, person_a, instruments, client_for, name, method
):
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    client = client_for(cast.operator_b)
    hidden = getattr(client, method)(reverse(name, args=[draft.pk]), {"action": "complete"})
    missing = getattr(client, method)(reverse(name, args=[MISSING_PK]), {"action": "complete"})
    if method == "post" and name != "assessments:fill":
        assert hidden.status_code == missing.status_code == 405
        return
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    assert (
        AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.operator_b, person_id=person_a.pk).count()
        == 1
    )
    assert not AuditEvent.objects.filter(action=Action.ASSESSMENT_VIEW, actor=cast.operator_b).exists()
    assert Assessment.objects.get(pk=draft.pk).version == 1


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organisation_finds_no_assessments_page_even_with_a_sharing_consent(
    cast, person_a, done, client_for, method
):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["social"])
    client = client_for(cast.operator_b)
    assert client.get(reverse("people:detail", args=[person_a.pk])).status_code == 200  # sees the person
    response = getattr(client, method)(reverse("assessments:person", args=[person_a.pk]))
    assert response.status_code == 404
    assert client.get(reverse("assessments:detail", args=[done.pk])).status_code == 404


def test_compare_with_an_assessment_of_another_organisation_is_missing(cast, person_a, instruments, done, client_for):
    other_person = make_person(registered_by=cast.org_b)
    theirs = complete(
        cast, other_person, instruments["employability"], on=datetime.date(2025, 4, 1), actor=cast.clinician_b
    )
    client = client_for(cast.clinician_a)
    assert client.get(reverse("assessments:compare", args=[done.pk, theirs.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.clinician_a).exists()
    assert client.get(reverse("assessments:compare", args=[theirs.pk, done.pk])).status_code == 404


def test_a_treating_organisation_sees_the_assessment_of_another(cast, person_a, done, client_for):
    make_case(person=person_a, unit=cast.unit_b)
    response = client_for(cast.operator_b).get(reverse("assessments:detail", args=[done.pk]))
    assert response.status_code == 200
    # …but may not change it: only the authoring organisation fills it in.
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=done.instrument_version)
    assert client_for(cast.operator_b).get(reverse("assessments:fill", args=[draft.pk])).status_code == 404


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo"])
def test_roles_without_person_access_see_no_assessment(cast, person_a, done, client_for, role):
    client = client_for(getattr(cast, role))
    assert client.get(reverse("assessments:person", args=[person_a.pk])).status_code == 404
    assert client.get(reverse("assessments:detail", args=[done.pk])).status_code == 404
    assert client.get(reverse("assessments:fhir", args=[done.pk])).status_code == 404


def test_peer_expert_reads_but_does_not_fill(cast, person_a, instruments, done, client_for):
    client = client_for(cast.peer_a)
    page = client.get(reverse("assessments:person", args=[person_a.pk]))
    assert page.status_code == 200
    assert 'data-testid="assessment-start"' not in page.content.decode()
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    assert client.get(reverse("assessments:fill", args=[draft.pk])).status_code == 404


# ---------------------------------------------------------------------------------------------- clinical content


def test_clinical_items_and_scores_are_hidden_from_non_clinical_roles(cast, person_a, done, client_for):
    operator = client_for(cast.operator_a)
    for name in ("assessments:detail", "assessments:fhir"):
        body = operator.get(reverse(name, args=[done.pk])).content.decode()
        assert "Ricovero a marzo" not in body
        assert "cl_stability" not in body
        assert "Clinical stability" not in body
    listing = operator.get(reverse("assessments:person", args=[person_a.pk])).content.decode()
    assert "Clinical stability" not in listing and "Ready with support" in listing

    clinician = client_for(cast.clinician_a)
    body = clinician.get(reverse("assessments:detail", args=[done.pk])).content.decode()
    assert "Ricovero a marzo" in body and "Clinical stability" in body
    event = AuditEvent.objects.filter(action=Action.ASSESSMENT_VIEW, actor=cast.clinician_a).latest("pk")
    assert event.detail == {"clinical": True} and event.person_id == person_a.pk


def test_the_fill_form_of_a_non_clinician_has_no_clinical_field(cast, person_a, instruments, client_for):
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    body = client_for(cast.operator_a).get(reverse("assessments:fill", args=[draft.pk])).content.decode()
    assert 'name="i_ws_technical"' in body
    assert 'name="i_cl_stability"' not in body
    assert "filled in by a clinician" in body
    body = client_for(cast.clinician_a).get(reverse("assessments:fill", args=[draft.pk])).content.decode()
    assert 'name="i_cl_stability"' in body


# ---------------------------------------------------------------------------------------------- filling in


def test_start_save_and_complete_through_the_pages(cast, person_a, instruments, client_for):
    client = client_for(cast.operator_a)
    page = client.get(reverse("assessments:person", args=[person_a.pk]))
    assert page.status_code == 200
    response = client.post(
        reverse("assessments:person", args=[person_a.pk]), {"instrument": instruments["employability"].pk}
    )
    draft = Assessment.objects.get()
    assert response["Location"] == reverse("assessments:fill", args=[draft.pk])
    fill = reverse("assessments:fill", args=[draft.pk])
    answers = {**EMPLOYABILITY_NON_CLINICAL}
    del answers["ws_technical"]
    data = fill_data(draft, answers, action="complete")
    data |= {"i_wh_jobs__0__job_role": "Magazziniere", "i_wh_jobs__0__job_group": "9", "i_mo_time": ["part_time"]}
    response = client.post(fill, data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "This item is required to complete the assessment." in body
    assert 'id="id_i_ws_technical_error"' in body  # the error sits on its field
    assert Assessment.objects.get().status == "draft"

    response = client.post(fill, data | {"action": "save"})
    assert response.status_code == 302
    saved = Assessment.objects.get()
    assert saved.version == 2 and saved.answers["wh_jobs"] == [{"job_role": "Magazziniere", "job_group": "9"}]
    assert saved.answers["mo_time"] == ["part_time"]

    response = client.post(fill, fill_data(saved, {**answers, "ws_technical": "3"}, action="complete"))
    assert response["Location"] == reverse("assessments:detail", args=[saved.pk])
    saved.refresh_from_db()
    assert (saved.status, saved.band) == ("completed", "supported")
    assert "wh_jobs" not in saved.answers  # the rows of the last post were empty
    body = client.get(reverse("assessments:detail", args=[saved.pk])).content.decode()
    assert "Ready with support" in body and "never excludes anyone" in body
    # A completed assessment is read-only.
    assert client.get(fill)["Location"] == reverse("assessments:detail", args=[saved.pk])


def test_a_stale_save_answers_409_keeps_the_input_and_shows_what_changed(cast, person_a, instruments, client_for):
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])
    services.assessment_save(actor=cast.coordinator_a, assessment=draft, version=1, answers={"wh_experience": "4"})
    client = client_for(cast.operator_a)
    response = client.post(
        reverse("assessments:fill", args=[draft.pk]),
        fill_data(draft, {"wh_experience": "1", "mo_wishes": "Lavorare in un bar"}),
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Someone else saved this assessment" in body
    assert "Lavorare in un bar" in body  # the input is kept
    assert 'data-testid="stale-rows"' in body and "Strength" in body  # the other save, by its label
    assert 'name="version" value="2"' in body
    assert Assessment.objects.get(pk=draft.pk).answers == {"wh_experience": "4"}


# ---------------------------------------------------------------------------------------------- history, compare


def test_history_chart_and_table_and_compare(cast, person_a, instruments, done, client_for):
    worse = {**EMPLOYABILITY_NON_CLINICAL, **{k: "2" for k in ("wh_experience", "wh_recent", "ws_technical")}}
    later = complete(cast, person_a, instruments["employability"], on=datetime.date(2025, 9, 1), answers=worse)
    client = client_for(cast.operator_a)
    body = client.get(reverse("assessments:person", args=[person_a.pk])).content.decode()
    assert body.count('data-testid="assessment-row"') == 2
    assert "<svg" in body and "<polyline" in body and 'data-testid="history-table"' in body
    assert "01/03/2025" in body and "01/09/2025" in body
    assert reverse("assessments:compare", args=[done.pk, later.pk]) in body
    compare = client.get(reverse("assessments:compare", args=[later.pk, done.pk]))
    assert compare.status_code == 200
    text = compare.content.decode()
    assert text.index("01/03/2025") < text.index("01/09/2025")  # older on the left
    assert "table-warning" in text  # changed answers are marked
    assert "Ricovero" not in text
    assert AuditEvent.objects.filter(
        action=Action.ASSESSMENT_VIEW, actor=cast.operator_a, object_id=str(done.pk)
    ).exists()


def test_compare_refuses_different_persons(cast, person_a, instruments, done, client_for):
    other = make_person(registered_by=cast.org_a)
    theirs = complete(cast, other, instruments["employability"], on=datetime.date(2025, 4, 1))
    assert client_for(cast.operator_a).get(reverse("assessments:compare", args=[done.pk, theirs.pk])).status_code == 404


def test_the_person_page_links_to_the_assessments_only_for_who_may_see_them(cast, person_a, client_for):
    link = reverse("assessments:person", args=[person_a.pk])
    assert link in client_for(cast.operator_a).get(reverse("people:detail", args=[person_a.pk])).content.decode()
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    assert link not in client_for(cast.operator_b).get(reverse("people:detail", args=[person_a.pk])).content.decode()


# ---------------------------------------------------------------------------------------------- catalogue, queries


def test_catalogue_lists_the_instruments_with_source_and_licence(cast, instruments, client_for):
    body = client_for(cast.analyst).get(reverse("assessments:catalogue")).content.decode()
    assert body.count('data-testid="instrument"') == 3
    assert "Finger M.E." in body and "ISCO-08" in body and "never excludes anyone" in body
    fhir = client_for(cast.analyst).get(reverse("assessments:questionnaire_fhir", args=["employability", 1]))
    assert fhir["Content-Type"] == "application/fhir+json" and fhir.json()["resourceType"] == "Questionnaire"


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_person_page_query_count_does_not_grow_with_the_assessments(cast, person_a, instruments, client_for):
    client = client_for(cast.clinician_a)
    url = reverse("assessments:person", args=[person_a.pk])
    complete(cast, person_a, instruments["employability"], on=datetime.date(2025, 1, 1))
    few = _queries(client, url)
    for month in range(2, 8):
        complete(cast, person_a, instruments["employability"], on=datetime.date(2025, month, 1))
    services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["skills_balance"])
    assert _queries(client, url) == few


def test_the_catalogue_query_count_is_fixed(cast, instruments, client_for):
    client = client_for(cast.operator_a)
    assert _queries(client, reverse("assessments:catalogue")) <= 6


def test_the_chart_coordinates_are_not_localised_in_italian(cast, person_a, instruments, done, client, client_for):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "it"
    complete(cast, person_a, instruments["employability"], on=datetime.date(2025, 9, 1))
    body = client_for(cast.operator_a).get(reverse("assessments:person", args=[person_a.pk])).content.decode()
    svg = body[body.index("<svg") : body.index("</svg>")]
    for attribute in re.findall(r'\b(?:x|y|x1|x2|y1|y2|cx|cy|height)="([^"]*)"', svg):
        assert re.fullmatch(r"-?\d+(\.\d+)?", attribute), attribute
    assert "Pronto con supporto" in body
