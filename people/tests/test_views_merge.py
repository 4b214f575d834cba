"""Merging two records of the same person through the merge page."""

from django.urls import reverse

from audit.choices import Action
from audit.models import AuditEvent
from core.testing.cast import fiscal_code_for, make_case, make_person
from people.models import Person, PersonMerge


def make_twin(cast, person, **fields):
    """A second record of `person`, typed with another first name's fiscal code (a registration error)."""
    code = fiscal_code_for(last_name="Rossi", first_name="Marta", sex="F", birth_date=person.birth_date)
    return make_person(
        registered_by=cast.org_a,
        last_name=person.last_name,
        first_name=person.first_name,
        birth_date=person.birth_date,
        fiscal_code=code,
        **fields,
    )


def test_merge_a_likely_duplicate_after_comparing(cast, person_a, client_for):
    twin = make_twin(cast, person_a, phone="02 5")
    client = client_for(cast.operator_a)
    url = reverse("people:merge", args=[person_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert twin in response.context["candidates"]

    response = client.get(url, {"choose": "1", "other": twin.pk})
    assert response.status_code == 200
    assert response.context["other"] == twin
    assert twin.fiscal_code in response.content.decode() and person_a.fiscal_code in response.content.decode()

    # Without the confirmation nothing happens.
    response = client.post(url, {"other_pk": twin.pk, "keep": person_a.pk})
    assert response.status_code == 200
    assert Person.objects.get(pk=twin.pk).merged_into is None

    response = client.post(url, {"other_pk": twin.pk, "keep": person_a.pk, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("people:detail", args=[person_a.pk])
    twin.refresh_from_db()
    person_a.refresh_from_db()
    assert twin.merged_into == person_a
    assert person_a.phone == "02 5"
    assert PersonMerge.objects.filter(survivor=person_a, merged=twin).exists()
    assert AuditEvent.objects.filter(action=Action.PERSON_MERGE, person_id=person_a.pk).exists()
    # The merged record is gone from the pages.
    assert client.get(reverse("people:detail", args=[twin.pk])).status_code == 404


def test_choose_by_fiscal_code_and_keep_the_other(cast, person_a, client_for):
    other = make_person(registered_by=cast.org_a, last_name="Rosi", first_name="Maria")
    client = client_for(cast.operator_a)
    url = reverse("people:merge", args=[person_a.pk])
    response = client.get(url, {"choose": "1", "fiscal_code": other.fiscal_code.lower()})
    assert response.context["other"] == other
    response = client.post(url, {"other_pk": other.pk, "keep": other.pk, "confirm": "on"})
    assert response.status_code == 302 and response.url == reverse("people:detail", args=[other.pk])
    person_a.refresh_from_db()
    assert person_a.merged_into == other


def test_a_fiscal_code_out_of_reach_is_not_revealed(cast, person_a, client_for):
    hidden = make_person(registered_by=cast.org_b)
    client = client_for(cast.operator_a)
    url = reverse("people:merge", args=[person_a.pk])
    response = client.get(url, {"choose": "1", "fiscal_code": hidden.fiscal_code})
    missing = client.get(url, {"choose": "1", "fiscal_code": "RSSMRA80A01F205X"})
    assert response.status_code == missing.status_code == 200
    assert response.context["choose"].errors == missing.context["choose"].errors
    assert "fiscal_code" in response.context["choose"].errors
    assert hidden.last_name not in response.content.decode()


def test_merge_refused_by_the_service_is_a_form_error(cast, person_a, client_for):
    twin = make_twin(cast, person_a)
    make_case(person=twin, unit=cast.unit_a)  # same unit and area as person_a's open case
    response = client_for(cast.operator_a).post(
        reverse("people:merge", args=[person_a.pk]), {"other_pk": twin.pk, "keep": person_a.pk, "confirm": "on"}
    )
    assert response.status_code == 200
    assert response.context["confirm"].non_field_errors()
    assert Person.objects.get(pk=twin.pk).merged_into is None


def test_merge_with_itself_or_bad_input_is_not_a_server_error(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    url = reverse("people:merge", args=[person_a.pk])
    assert client.post(url, {"other_pk": person_a.pk, "keep": person_a.pk, "confirm": "on"}).status_code == 404
    assert client.post(url, {"other_pk": "abc"}).status_code == 404
    assert client.get(url, {"choose": "1"}).status_code == 200
    assert client.get(url, {"choose": "1", "other": "x"}).status_code == 200
