"""The fill page through htmx: a save answers the form's partial with the saved state, validation messages inline
(422) or the stale save (409), announced in the page's status region; the plain POST path keeps working."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from assessments import services
from assessments.models import Assessment
from assessments.tests.conftest import EMPLOYABILITY_NON_CLINICAL

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def draft(cast, person_a, instruments):
    return services.assessment_start(actor=cast.operator_a, person=person_a, version=instruments["employability"])


def fill_data(assessment, answers, action="save"):
    data = {"version": assessment.version, "assessed_on": assessment.assessed_on.isoformat(), "action": action}
    data |= {f"i_{key}": value for key, value in answers.items()}
    return data


def status_region(body: str) -> str:
    """The out-of-band content for the page's status region."""
    match = re.search(r'<div id="fill-status" hx-swap-oob="innerHTML">(.*?)</div>', body, re.S)
    assert match, "no out-of-band status in the partial"
    return match.group(1)


def assert_partial(body: str) -> None:
    assert "<html" not in body and "<nav" not in body  # the partial, not the page
    assert body.lstrip().startswith('<div id="assessment-fill"')
    assert 'hx-post="' in body and 'data-testid="scores"' in body


def test_the_page_posts_through_htmx_and_has_a_status_region(cast, draft, client_for):
    body = client_for(cast.operator_a).get(reverse("assessments:fill", args=[draft.pk])).content.decode()
    fill = reverse("assessments:fill", args=[draft.pk])
    assert f'method="post" action="{fill}"' in body  # without JavaScript the form still posts
    assert f'hx-post="{fill}"' in body and 'hx-target="#assessment-fill"' in body
    assert re.search(r'<div id="fill-status" role="status" aria-live="polite"[^>]*></div>', body)
    assert "hx-swap-oob" not in body  # only htmx answers carry the status out of band
    # The 409 and 422 answers are swapped in place by the page-wide htmx-config (templates/base.html).
    assert 'name="htmx-config"' in body and "409|422" in body


def test_a_save_answers_the_partial_with_the_saved_state(cast, draft, client_for):
    client = client_for(cast.operator_a)
    response = client.post(
        reverse("assessments:fill", args=[draft.pk]),
        fill_data(draft, {"wh_experience": "3", "mo_wishes": "Lavorare in un bar"}),
        **HX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert_partial(body)
    assert "Draft saved at" in status_region(body) and "alert-success" in status_region(body)
    saved = Assessment.objects.get(pk=draft.pk)
    assert saved.version == 2 and saved.answers["mo_wishes"] == "Lavorare in un bar"
    # The form goes on from the saved version, with the saved answers, so that the next save is not stale.
    assert 'name="version" value="2"' in body and 'data-version="2"' in body
    assert "Lavorare in un bar" in body
    assert re.search(r'name="i_wh_experience" value="3"[^>]*checked', body)
    # No flash message waits for the next page: the partial said it.
    page = client.get(reverse("assessments:fill", args=[draft.pk])).content.decode()
    assert "Draft saved at" not in page

    again = client.post(reverse("assessments:fill", args=[draft.pk]), fill_data(saved, {"wh_experience": "4"}), **HX)
    assert again.status_code == 200 and Assessment.objects.get(pk=draft.pk).version == 3


def test_invalid_input_answers_422_with_the_message_on_its_field(cast, draft, client_for):
    data = fill_data(draft, {"mo_wishes": "Lavorare in un bar"}) | {"assessed_on": "not a date"}
    response = client_for(cast.operator_a).post(reverse("assessments:fill", args=[draft.pk]), data, **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert_partial(body)
    assert 'id="id_assessed_on_error"' in body  # inline, on its field
    assert "Not saved: correct the items marked below." in status_region(body)
    assert "Lavorare in un bar" in body  # the input is kept
    assert Assessment.objects.get(pk=draft.pk).version == 1


def test_completing_with_items_missing_answers_422_and_completing_redirects(cast, draft, client_for):
    client = client_for(cast.operator_a)
    fill = reverse("assessments:fill", args=[draft.pk])
    answers = dict(EMPLOYABILITY_NON_CLINICAL)
    del answers["ws_technical"]
    response = client.post(fill, fill_data(draft, answers, action="complete"), **HX)
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="id_i_ws_technical_error"' in body and "This item is required to complete the assessment." in body
    assert "The assessment was not completed" in status_region(body)
    assert Assessment.objects.get(pk=draft.pk).status == "draft"

    response = client.post(fill, fill_data(draft, EMPLOYABILITY_NON_CLINICAL, action="complete"), **HX)
    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("assessments:detail", args=[draft.pk])
    assert Assessment.objects.get(pk=draft.pk).status == "completed"
    # A later htmx post to the completed assessment is sent to its page too.
    response = client.post(fill, fill_data(draft, EMPLOYABILITY_NON_CLINICAL), **HX)
    assert response["HX-Redirect"] == reverse("assessments:detail", args=[draft.pk])


def test_a_stale_save_answers_409_in_place_keeping_the_input(cast, draft, client_for):
    services.assessment_save(actor=cast.coordinator_a, assessment=draft, version=1, answers={"wh_experience": "4"})
    response = client_for(cast.operator_a).post(
        reverse("assessments:fill", args=[draft.pk]),
        fill_data(draft, {"wh_experience": "1", "mo_wishes": "Lavorare in un bar"}),
        **HX,
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert_partial(body)
    assert "Someone else saved this assessment" in body and 'data-testid="stale-rows"' in body
    assert "someone else saved this assessment meanwhile" in status_region(body)
    assert "Lavorare in un bar" in body and 'name="version" value="2"' in body
    assert Assessment.objects.get(pk=draft.pk).answers == {"wh_experience": "4"}


def test_without_htmx_a_save_still_redirects_with_a_message(cast, draft, client_for):
    client = client_for(cast.operator_a)
    fill = reverse("assessments:fill", args=[draft.pk])
    response = client.post(fill, fill_data(draft, {"wh_experience": "3"}))
    assert response.status_code == 302 and response["Location"] == fill
    page = client.get(fill).content.decode()
    assert "Draft saved at" in page and "<html" in page
    response = client.post(fill, fill_data(draft, {"wh_experience": "2"}))  # stale: version 1 again
    assert response.status_code == 409 and "<html" in response.content.decode()


def test_another_organisation_gets_404_through_htmx(cast, draft, client_for):
    response = client_for(cast.operator_b).post(
        reverse("assessments:fill", args=[draft.pk]), fill_data(draft, {"wh_experience": "3"}), **HX
    )
    assert response.status_code == 404
    assert Assessment.objects.get(pk=draft.pk).version == 1
