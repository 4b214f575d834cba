"""The registry's pages: who reaches them, what they show, and registration and changes through them."""

import datetime
import re

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.choices import Action, Outcome
from audit.models import AuditEvent
from core.testing.cast import fiscal_code_for, make_case, make_consent, make_person
from people.models import Person

BORN = datetime.date(1988, 4, 12)
MISSING_PK = 999_999
# A diagnosis group as the pages show it ("F20–F29 …"), in any language.
DIAGNOSIS = re.compile(r"\bF\d\d\s*[–-]\s*F\d\d\b")
_CSRF = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so that assertions on wording do not depend on the translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def same_page(response) -> str:
    """The body without its per-response CSRF token and its own address, to compare two responses."""
    return _CSRF.sub(r"\1", response.content.decode()).replace(response.wsgi_request.path, "PATH")


def identity(**over) -> dict:
    data = {"first_name": "Luisa", "last_name": "Brivio", "sex": "F", "birth_date": BORN.isoformat()}
    data["birth_place"] = "Milano"
    data.update(over)
    data.setdefault(
        "fiscal_code",
        fiscal_code_for(
            last_name=data["last_name"],
            first_name=data["first_name"],
            sex=data["sex"],
            birth_date=datetime.date.fromisoformat(data["birth_date"]),
        ),
    )
    return data


# ---------------------------------------------------------------------------------------------- who reaches what

OBJECT_PAGES = ["people:detail", "people:edit", "people:consent_add", "people:merge"]


@pytest.mark.parametrize("name", OBJECT_PAGES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_other_organisation_gets_the_missing_page_and_is_audited(cast, person_a, client_for, name, method):
    client = client_for(cast.operator_b)
    hidden = getattr(client, method)(reverse(name, args=[person_a.pk]))
    missing = getattr(client, method)(reverse(name, args=[MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    denied = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, person_id=person_a.pk, actor=cast.operator_b)
    assert denied.count() == 1
    assert denied.get().outcome == Outcome.DENIED
    assert not AuditEvent.objects.filter(action=Action.PERSON_VIEW).exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_consent_withdrawal_page_of_another_organisation_is_missing(cast, person_a, client_for, method):
    consent = make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a)
    client = client_for(cast.operator_b)
    # operator_b sees the person through the consent, but may not change it.
    hidden = getattr(client, method)(reverse("people:consent_withdraw", args=[person_a.pk, consent.pk]))
    missing = getattr(client, method)(reverse("people:consent_withdraw", args=[person_a.pk, MISSING_PK]))
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden) == same_page(missing)
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=cast.operator_b).exists()
    consent.refresh_from_db()
    assert consent.withdrawn_on is None


def test_merge_with_a_record_of_another_organisation_is_missing(cast, person_a, client_for):
    other = make_person(registered_by=cast.org_b)
    client = client_for(cast.operator_a)
    response = client.post(reverse("people:merge", args=[person_a.pk]), {"other_pk": other.pk, "keep": person_a.pk})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action=Action.ACCESS_DENIED, person_id=other.pk).exists()
    assert Person.objects.get(pk=other.pk).merged_into is None


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo"])
@pytest.mark.parametrize("name", ["people:list", "people:create"])
def test_roles_without_person_access_find_no_registry_page(cast, person_a, client_for, role, name):
    response = client_for(getattr(cast, role)).get(reverse(name))
    assert response.status_code == 404
    assert "Rossi" not in response.content.decode()


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo"])
def test_roles_without_person_access_never_see_a_record(cast, person_a, client_for, role):
    response = client_for(getattr(cast, role)).get(reverse("people:detail", args=[person_a.pk]))
    assert response.status_code == 404
    assert "Rossi" not in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.PERSON_VIEW).exists()


def test_anonymous_is_sent_to_sign_in(client, person_a):
    response = client.get(reverse("people:detail", args=[person_a.pk]))
    assert response.status_code == 302
    assert "Rossi" not in response.content.decode()


def test_peer_expert_reads_but_cannot_change_or_register(cast, person_a, client_for):
    client = client_for(cast.peer_a)
    assert client.get(reverse("people:detail", args=[person_a.pk])).status_code == 200
    assert client.get(reverse("people:edit", args=[person_a.pk])).status_code == 404
    assert client.get(reverse("people:create")).status_code == 404


# ---------------------------------------------------------------------------------------------- the record page


def detail_as(user, person):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(user)
    return client.get(reverse("people:detail", args=[person.pk]))


def test_detail_shows_the_treating_team_everything_but_the_diagnosis_to_non_clinicians(cast, person_a, client_for):
    person_a.phone = "02 1234567"
    person_a.save()
    response = client_for(cast.operator_a).get(reverse("people:detail", args=[person_a.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "02 1234567" in body
    assert "Polo Lavoro Sacco" in body  # the cases section
    assert not DIAGNOSIS.search(body) and "person-clinical" not in body
    event = AuditEvent.objects.get(action=Action.PERSON_VIEW)
    assert (event.person_id, event.actor) == (person_a.pk, cast.operator_a)
    assert event.detail == {"sections": ["cases", "contacts", "identity", "social"]}
    assert reverse("people:edit", args=[person_a.pk]) in body


def test_consent_with_contacts_shows_the_phone_but_not_the_diagnosis(cast, person_a, client_for):
    person_a.phone = "02 1234567"
    person_a.work_history = "Magazziniere"
    person_a.save()
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    for user in (cast.operator_b, cast.clinician_b):
        response = detail_as(user, person_a)
        body = response.content.decode()
        assert response.status_code == 200
        assert "02 1234567" in body
        assert not DIAGNOSIS.search(body) and "person-clinical" not in body
        assert "Magazziniere" not in body  # social section not shared
        assert "Polo Lavoro Sacco" not in body  # cases section not shared
        assert reverse("people:edit", args=[person_a.pk]) not in body
    event = AuditEvent.objects.filter(action=Action.PERSON_VIEW, actor=cast.operator_b).get()
    assert event.detail == {"sections": ["contacts", "identity"]}


def test_clinician_sees_the_diagnosis_only_when_treating(cast, person_a, client_for):
    client = client_for(cast.clinician_a)
    response = client.get(reverse("people:detail", args=[person_a.pk]))
    assert DIAGNOSIS.search(response.content.decode()).group(0).startswith("F20")
    event = AuditEvent.objects.get(action=Action.PERSON_VIEW)
    assert "clinical" in event.detail["sections"]

    other = make_person(registered_by=cast.org_b, diagnosis_group="F30-F39")
    make_consent(person=other, organisation=cast.org_a, recorded_by=cast.operator_b, sections=["contacts", "social"])
    response = client.get(reverse("people:detail", args=[other.pk]))
    assert response.status_code == 200
    assert not DIAGNOSIS.search(response.content.decode())


def test_detail_query_count_does_not_grow_with_cases_and_consents(cast, person_a, client_for):
    client = client_for(cast.coordinator_a)
    url = reverse("people:detail", args=[person_a.pk])
    client.get(url)  # warm the session
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for area in ("housing", "prevention", "justice", "work"):
        make_case(person=person_a, unit=cast.cps_a, area=area)
    make_case(person=person_a, unit=cast.unit_b, area="housing")
    for org in (cast.org_b, cast.company, cast.ats):
        make_consent(person=person_a, organisation=org, recorded_by=cast.operator_a, sections=["contacts"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert len(many) == len(few)
    # Session, user, memberships, the person, consents, cases, referrals and the audit insert (ADR 0020).
    assert len(many) == 8, [query["sql"][:80] for query in many]


@pytest.mark.parametrize("pk", [0, 2**63 - 1, 2**63, 10**20])
def test_detail_of_a_key_no_record_can_have_is_missing(cast, client_for, pk):
    assert client_for(cast.operator_a).get(f"/persons/{pk}/").status_code == 404


@pytest.mark.parametrize(
    "ended", ["membership_inactive", "membership_deleted", "unit_inactive", "organisation_inactive"]
)
def test_access_ended_takes_effect_on_the_next_request(cast, person_a, client_for, ended):
    """Nothing of the user's memberships outlives a request (ADR 0020): the same session gets the missing page."""
    from accounts.models import Membership

    client = client_for(cast.operator_a)
    url = reverse("people:detail", args=[person_a.pk])
    response = client.get(url)
    assert response.status_code == 200
    menu_entry = f'<a class="nav-link" href="{reverse("people:list")}">'  # the menu's "Persons"
    assert menu_entry in response.content.decode()
    memberships = Membership.objects.filter(user=cast.operator_a)
    if ended == "membership_inactive":
        memberships.update(is_active=False)
    elif ended == "membership_deleted":
        memberships.delete()
    elif ended == "unit_inactive":
        type(cast.unit_a).objects.filter(pk=cast.unit_a.pk).update(is_active=False)
    else:
        type(cast.org_a).objects.filter(pk=cast.org_a.pk).update(is_active=False)

    assert client.get(url).status_code == 404
    assert client.get(reverse("people:list")).status_code == 404
    home = client.get(reverse("home"))
    assert home.status_code == 200
    assert menu_entry not in home.content.decode()


def test_a_new_membership_takes_effect_on_the_next_request(cast, person_a, client_for):
    from accounts.choices import Role
    from accounts.models import Membership

    client = client_for(cast.operator_b)
    url = reverse("people:detail", args=[person_a.pk])
    assert client.get(url).status_code == 404
    Membership.objects.create(user=cast.operator_b, unit=cast.unit_a, role=Role.OPERATOR)
    assert client.get(url).status_code == 200


# ---------------------------------------------------------------------------------------------- the list


def test_list_shows_identity_only_and_the_persons_the_user_sees(cast, person_a, client_for):
    hidden = make_person(registered_by=cast.org_b, last_name="Nascosto")
    response = client_for(cast.operator_a).get(reverse("people:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Rossi" in body and person_a.fiscal_code in body
    assert "Nascosto" not in body and hidden.fiscal_code not in body
    assert not DIAGNOSIS.search(body) and "person-clinical" not in body
    assert not AuditEvent.objects.filter(action=Action.PERSON_SEARCH).exists()


def test_search_is_audited_and_matches_name_words_or_fiscal_code_prefix(cast, person_a, client_for):
    other = make_person(registered_by=cast.org_a, last_name="Bianchi", first_name="Carla")
    client = client_for(cast.operator_a)
    body = client.get(reverse("people:list"), {"q": "maria ross"}).content.decode()
    assert "Rossi" in body and "Bianchi" not in body
    body = client.get(reverse("people:list"), {"q": other.fiscal_code[:8].lower()}).content.decode()
    assert "Bianchi" in body and "Rossi" not in body
    events = AuditEvent.objects.filter(action=Action.PERSON_SEARCH).order_by("pk")
    assert [e.detail for e in events] == [{"q": "maria ross"}, {"q": other.fiscal_code[:8].lower()}]


def test_filters(cast, person_a, client_for):
    person_a.residence_municipio = 3
    person_a.save()
    man = make_person(registered_by=cast.org_a, last_name="Bianchi", sex="M", residence_municipio=5)
    make_case(person=man, unit=cast.unit_a, area="housing")
    idle = make_person(registered_by=cast.org_a, last_name="Verdi")
    client = client_for(cast.operator_a)

    def names(**params):
        body = client.get(reverse("people:list"), params).content.decode()
        return {name for name in ("Rossi", "Bianchi", "Verdi") if name in body}

    assert names() == {"Rossi", "Bianchi", "Verdi"}
    assert names(municipio=3) == {"Rossi"}
    assert names(sex="M") == {"Bianchi"}
    assert names(area="housing") == {"Bianchi"}
    assert names(open_case_here="on") == {"Rossi", "Bianchi"}
    assert names(registered_by=cast.org_a.pk) == {"Rossi", "Bianchi", "Verdi"}
    assert idle.pk


def test_municipio_filter_does_not_reveal_a_hidden_residence(cast, person_a, client_for):
    person_a.residence_municipio = 3
    person_a.save()
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["social"])
    client = client_for(cast.operator_b)
    assert "Rossi" in client.get(reverse("people:list")).content.decode()
    results = client.get(reverse("people:list"), HTTP_HX_REQUEST="true").content.decode()
    assert "Rossi" in results and "Municipio 3" not in results
    assert "Rossi" not in client.get(reverse("people:list"), {"municipio": 3}).content.decode()


def test_list_query_count_does_not_grow_with_the_page_size(cast, client_for):
    for n in range(120):
        person = make_person(registered_by=cast.org_a, residence_municipio=1 + n % 9)
        if n % 3 == 0:
            make_case(person=person, unit=cast.unit_a)
    client = client_for(cast.operator_a)
    url = reverse("people:list")
    client.get(url)
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size, "sex": "F"})
        assert response.status_code == 200
        assert response.content.decode().count('<th scope="row">') == size
        counts[size] = len(queries)
    assert counts[10] == counts[100]


def test_list_htmx_request_gets_the_results_partial(cast, person_a, client_for):
    response = client_for(cast.operator_a).get(reverse("people:list"), {"q": "Rossi"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="person-results"')
    assert "<html" not in body and "Rossi" in body


def test_bad_list_parameters_are_harmless(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    for params in ({"page": "x"}, {"page_size": "7"}, {"page_size": "abc"}, {"municipio": "99"}, {"q": "x" * 500}):
        assert client.get(reverse("people:list"), params).status_code == 200


# ---------------------------------------------------------------------------------------------- registration


def test_register_through_the_form(cast, client_for):
    client = client_for(cast.operator_a)
    assert client.get(reverse("people:create")).status_code == 200
    response = client.post(reverse("people:create"), {**identity(), "phone": "333 1234567", "residence_municipio": 2})
    person = Person.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("people:detail", args=[person.pk])
    assert (person.registered_by, person.phone, person.residence_municipio) == (cast.org_a, "333 1234567", 2)
    event = AuditEvent.objects.get(action=Action.PERSON_CREATE)
    assert (event.person_id, event.actor) == (person.pk, cast.operator_a)


def test_invalid_fiscal_code_is_a_field_error_and_nothing_is_saved(cast, client_for):
    data = identity()
    data["fiscal_code"] = data["fiscal_code"][:-1] + ("A" if data["fiscal_code"][-1] != "A" else "B")
    response = client_for(cast.operator_a).post(reverse("people:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert "fiscal_code" in form.errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert 'aria-describedby="id_fiscal_code_helptext id_fiscal_code_error"' in response.content.decode()
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.PERSON_CREATE).exists()


def test_fiscal_code_disagreeing_with_the_sex_is_an_error_on_the_sex(cast, client_for):
    data = identity()
    data["sex"] = "M"
    response = client_for(cast.operator_a).post(reverse("people:create"), data)
    assert response.status_code == 200
    assert "sex" in response.context["form"].errors
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    "bad",
    [
        {"birth_date": "2025-13-40"},
        {"sex": "?"},
        {"first_name": "x" * 5000},
        {"last_name": "y" * 101},
        {"fiscal_code": "z" * 300},
        {"residence_municipio": "42"},
        {"civil_invalidity_percent": "140"},
        {"email": "not an email"},
        {"education": "phd"},
        {"diagnosis_group": "F20-F29"},  # a field an operator does not have: ignored
    ],
)
def test_bad_input_is_never_a_server_error(cast, client_for, bad):
    data = {**identity(), **bad}
    response = client_for(cast.operator_a).post(reverse("people:create"), data)
    if "diagnosis_group" in bad:
        assert response.status_code == 302
        assert Person.objects.get().diagnosis_group == ""
    else:
        assert response.status_code == 200
        assert response.context["form"].errors
        assert not Person.objects.exists()


def test_diagnosis_group_only_on_the_clinicians_form(cast, client_for):
    assert "diagnosis_group" not in client_for(cast.operator_a).get(reverse("people:create")).context["form"].fields
    client = client_for(cast.clinician_a)
    assert "diagnosis_group" in client.get(reverse("people:create")).context["form"].fields
    response = client.post(reverse("people:create"), {**identity(), "diagnosis_group": "F30-F39"})
    assert response.status_code == 302
    assert Person.objects.get().diagnosis_group == "F30-F39"


def test_likely_duplicates_are_offered_and_saving_needs_the_confirmation(cast, client_for):
    twin = make_person(registered_by=cast.org_a, last_name="Brivio", first_name="Luisa", birth_date=BORN)
    client = client_for(cast.operator_a)
    # The same person typed with a different (but valid) fiscal code: a likely duplicate by name and birth date.
    data = identity(first_name="Luiza")
    response = client.post(reverse("people:create"), data)
    assert response.status_code == 200
    assert list(response.context["duplicates"]) == [twin]
    body = response.content.decode()
    assert reverse("people:detail", args=[twin.pk]) in body
    assert "confirm_different" in response.context["form"].errors
    assert Person.objects.count() == 1

    response = client.post(reverse("people:create"), {**data, "confirm_different": "on"})
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_a_visible_record_with_the_same_fiscal_code_is_offered(cast, person_a, client_for):
    data = identity(first_name="Maria", last_name="Rossi", fiscal_code=person_a.fiscal_code)
    data["birth_date"] = person_a.birth_date.isoformat()
    response = client_for(cast.operator_a).post(reverse("people:create"), {**data, "confirm_different": "on"})
    assert response.status_code == 200
    assert person_a in response.context["duplicates"]
    assert "fiscal_code" in response.context["form"].errors
    assert Person.objects.count() == 1


def test_a_hidden_record_with_the_same_fiscal_code_is_not_named(cast, client_for):
    hidden = make_person(registered_by=cast.org_b, last_name="Brivio", first_name="Luisa", birth_date=BORN)
    data = identity(fiscal_code=hidden.fiscal_code)
    response = client_for(cast.operator_a).post(reverse("people:create"), data)
    assert response.status_code == 200
    assert response.context["duplicates"] == []
    body = response.content.decode()
    assert "fiscal_code" in response.context["form"].errors
    assert reverse("people:detail", args=[hidden.pk]) not in body and "Niguarda" not in body
    assert AuditEvent.objects.filter(action=Action.PERSON_DUPLICATE_HIDDEN, person_id=hidden.pk).exists()


def test_inline_validation_returns_the_field_with_its_error(cast, client_for):
    data = identity()
    data["sex"] = "M"
    response = client_for(cast.operator_a).post(
        reverse("people:create"), {**data, "_validate": "sex"}, HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="field-sex"')
    assert "<html" not in body
    assert "id_sex_error" in body and 'aria-invalid="true"' in body
    assert not Person.objects.exists()

    response = client_for(cast.operator_a).post(
        reverse("people:create"), {**identity(), "_validate": "fiscal_code"}, HTTP_HX_REQUEST="true"
    )
    assert "aria-invalid" not in response.content.decode()
    assert not Person.objects.exists()


# ---------------------------------------------------------------------------------------------- changes


def test_edit_saves_a_change_and_shows_only_visible_sections(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    url = reverse("people:edit", args=[person_a.pk])
    form = client.get(url).context["form"]
    assert "phone" in form.fields and "diagnosis_group" not in form.fields
    data = {**identity(first_name="Maria", last_name="Rossi", fiscal_code=person_a.fiscal_code)}
    data.update(birth_date=person_a.birth_date.isoformat(), phone="02 999", version=person_a.version)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    person_a.refresh_from_db()
    assert (person_a.phone, person_a.version) == ("02 999", 2)
    event = AuditEvent.objects.get(action=Action.PERSON_UPDATE)
    assert event.detail["fields"] == ["phone"]


def test_stale_edit_names_the_changed_fields_and_keeps_the_input(cast, person_a, client_for):
    from people import services

    client = client_for(cast.operator_a)
    url = reverse("people:edit", args=[person_a.pk])
    data = identity(first_name="Maria", last_name="Rossi", fiscal_code=person_a.fiscal_code)
    data.update(birth_date=person_a.birth_date.isoformat(), address="Via Mia 1", version=person_a.version)
    services.person_update(actor=cast.coordinator_a, person=person_a, version=person_a.version, phone="02 111")

    response = client.post(url, data)
    assert response.status_code == 409
    body = response.content.decode()
    assert "Via Mia 1" in body  # the user's input is kept
    assert "02 111" in body  # the current value of the changed field
    assert [row[0] for row in response.context["stale_rows"]] == ["phone"]
    form = response.context["form"]
    assert (form["version"].value(), form["phone"].value(), form["address"].value()) == ("2", "02 111", "Via Mia 1")
    person_a.refresh_from_db()
    assert person_a.address == ""

    # Saving the form as shown applies the user's input without undoing the other change.
    response = client.post(url, form.data)
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert (person_a.address, person_a.phone) == ("Via Mia 1", "02 111")


def test_edit_with_bad_input_is_a_form_error(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    url = reverse("people:edit", args=[person_a.pk])
    for bad in ({"version": "x"}, {"birth_date": "2025-13-40"}, {"sex": "?"}, {"civil_invalidity_percent": "-1"}):
        data = identity(first_name="Maria", last_name="Rossi", fiscal_code=person_a.fiscal_code)
        data.update(birth_date=person_a.birth_date.isoformat(), version=person_a.version)
        response = client.post(url, {**data, **bad})
        assert response.status_code == 200
        assert response.context["form"].errors
    person_a.refresh_from_db()
    assert person_a.version == 1


def test_the_record_page_speaks_the_language_of_each_request(cast, person_a, client_for):
    """Labels, choices and sections are worked out once per language (people.views._field_text): one language's
    text must never reach a page asked for in the other."""
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    client = client_for(cast.operator_a)
    url = reverse("people:detail", args=[person_a.pk])
    for language, words in [
        ("it", ["Codice fiscale", "Femmina", "Lavoro e formazione", "In vigore", "Contatti e residenza"]),
        ("en", ["Fiscal code", "Female", "Work and training", "In force", "Contacts and residence"]),
        ("it", ["Codice fiscale", "Femmina", "Lavoro e formazione", "In vigore", "Contatti e residenza"]),
    ]:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        body = client.get(url).content.decode()
        assert [word for word in words if f">{word}<" not in body and f"{word}," not in body] == []
