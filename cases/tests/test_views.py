"""The pages of cases and referrals: the morning flow, the consent rule, 404s for others, bad input."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.choices import OrganisationKind, Role, UnitKind
from accounts.models import Organisation, Unit
from api.tests.arrange import make_referral
from audit.choices import Action, Outcome
from audit.models import AuditEvent
from cases import services
from cases.models import Case, Referral
from core.testing.cast import make_case, make_consent, make_person, make_user


def consent_to_b(cast, person):
    return make_consent(person=person, organisation=cast.org_b, recorded_by=cast.operator_a)


def referral_a_to_b(cast, person):
    return make_referral(person=person, from_unit=cast.unit_a, to_unit=cast.unit_b, sent_by=cast.operator_a)


DIAGNOSIS_GROUP = re.compile(r"\bF\d\d\s*[–-]\s*F\d\d\b")


def comparable(response, url: str) -> str:
    """A 404 page without what differs by design: the masked CSRF tokens and the requested path itself."""
    text = re.sub(r'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', r"\1", response.content.decode())
    return text.replace(url, "<url>")


@pytest.fixture(autouse=True)
def english(client, settings):
    """These tests read the pages' messages in English; Italian, the default, is checked in test_translations."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def third(cast):
    """An operator of a third organisation, outside every referral and case of the cast."""
    org = Organisation.objects.create(name="Cooperativa Sociale Terzo", kind=OrganisationKind.SOCIAL_COOP)
    unit = Unit.objects.create(organisation=org, name="Servizio domiciliare", kind=UnitKind.HOUSING)
    return make_user("operator_c", unit, Role.OPERATOR)


# ---------------------------------------------------------------------------------------------- the morning


def test_the_morning_flow_through_the_pages(cast, person_a, client_for):
    consent_to_b(cast, person_a)
    client = client_for(cast.operator_a)
    form_page = client.get(reverse("cases:referral_create", args=[person_a.pk]))
    assert form_page.status_code == 200
    html = form_page.content.decode()
    assert '<optgroup label="ASST Niguarda">' in html and f'value="{cast.unit_b.pk}"' in html
    assert "Esempio Logistica" not in html  # companies take nobody in charge
    response = client.post(
        reverse("cases:referral_create", args=[person_a.pk]),
        {"from_unit": cast.unit_a.pk, "to_unit": cast.unit_b.pk, "area": "work", "reason": "Ready for a job path."},
    )
    referral = Referral.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:referral_detail", args=[referral.pk])
    outbox = client.get(reverse("cases:referral_outbox"))
    assert "Rossi Maria" in outbox.content.decode()

    client = client_for(cast.operator_b)
    inbox = client.get(reverse("cases:referral_inbox")).content.decode()
    assert "Rossi Maria" in inbox and reverse("cases:referral_detail", args=[referral.pk]) in inbox
    home = client.get("/").content.decode()
    assert "Rossi Maria" in home and reverse("cases:referral_detail", args=[referral.pk]) in home

    detail = client.get(reverse("cases:referral_detail", args=[referral.pk]))
    text = detail.content.decode()
    assert detail.status_code == 200
    assert person_a.fiscal_code in text and "Rossi" in text and "Ready for a job path." in text
    assert not DIAGNOSIS_GROUP.search(text) and "Schizophrenia" not in text
    assert "15/01/2025" not in text  # the opening date of the sender's own case
    assert f'<option value="{cast.operator_b.pk}" selected>' in text  # the case manager defaults to me
    assert AuditEvent.objects.filter(action=Action.REFERRAL_VIEW, actor=cast.operator_b, person=person_a).exists()

    response = client.post(
        reverse("cases:referral_accept", args=[referral.pk]),
        {"case_manager": cast.coordinator_b.pk, "opened_on": timezone.localdate().isoformat()},
    )
    case = Case.objects.get(organisation=cast.org_b)
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    assert (case.person, case.unit, case.case_manager, case.area) == (person_a, cast.unit_b, cast.coordinator_b, "work")
    referral.refresh_from_db()
    assert (referral.status, referral.case) == ("accepted", case)

    page = client.get(response.url)
    text = page.content.decode()
    assert page.status_code == 200
    assert person_a.fiscal_code in text and str(cast.coordinator_b) in text
    assert not DIAGNOSIS_GROUP.search(text) and "Schizophrenia" not in text
    assert reverse("cases:referral_detail", args=[referral.pk]) in text
    assert AuditEvent.objects.filter(action=Action.CASE_VIEW, actor=cast.operator_b, object_id=str(case.pk)).exists()


def test_referral_without_consent_is_refused_with_the_message_and_nothing_saved(cast, person_a, client_for):
    response = client_for(cast.operator_a).post(
        reverse("cases:referral_create", args=[person_a.pk]),
        {"from_unit": cast.unit_a.pk, "to_unit": cast.unit_b.pk, "area": "work", "reason": "Ready."},
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "has not consented to share their record with ASST Niguarda" in text
    assert 'id="id_to_unit_error"' in text and 'aria-describedby="id_to_unit_helptext id_to_unit_error"' in text
    assert 'data-testid="consent-missing"' in text
    assert reverse("people:consent_add", args=[person_a.pk]) in text
    assert not Referral.objects.exists()
    assert not AuditEvent.objects.filter(action=Action.REFERRAL_SEND).exists()


def test_the_sender_withdraws_and_the_receiver_cannot(cast, person_a, client_for):
    referral = referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_b).post(reverse("cases:referral_withdraw", args=[referral.pk]), follow=True)
    assert "Only the sending organisation" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"
    page = client_for(cast.operator_a).get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert 'data-testid="referral-withdraw"' in page and 'data-testid="referral-accept"' not in page
    client_for(cast.operator_a).post(reverse("cases:referral_withdraw", args=[referral.pk]))
    referral.refresh_from_db()
    assert referral.status == "withdrawn" and referral.withdrawn_at is not None


def test_reject_without_reason_shows_a_field_error(cast, person_a, client_for):
    referral = referral_a_to_b(cast, person_a)
    client = client_for(cast.operator_b)
    url = reverse("cases:referral_reject", args=[referral.pk])
    response = client.post(url, {"reason": "   "})
    text = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reason_error"' in text and "Say why the referral is rejected." in text
    referral.refresh_from_db()
    assert referral.status == "sent"
    # Inline validation (htmx): only the field comes back, nothing is written.
    partial = client.post(url, {"reason": "", "_validate": "reason"}, headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.content.decode().lstrip().startswith('<div id="reject-reason-field"')
    assert "Say why the referral is rejected." in partial.content.decode()
    referral.refresh_from_db()
    assert referral.status == "sent"
    response = client.post(url, {"reason": "No places until September."})
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.status, referral.rejection_reason) == ("rejected", "No places until September.")
    sender_view = client_for(cast.operator_a).get(reverse("cases:referral_detail", args=[referral.pk]))
    assert "No places until September." in sender_view.content.decode()


def test_the_sender_cannot_accept_its_own_referral(cast, person_a, client_for):
    referral = referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_a).post(
        reverse("cases:referral_accept", args=[referral.pk]), {"case_manager": cast.operator_a.pk}
    )
    assert response.status_code == 200
    assert not Case.objects.filter(organisation=cast.org_b).exists()


# ---------------------------------------------------------------------------------------------- cases


def test_open_assign_and_close_a_case(cast, person_a, client_for):
    client = client_for(cast.operator_a)
    response = client.post(
        reverse("cases:case_open", args=[person_a.pk]),
        {"unit": cast.unit_a.pk, "area": "housing", "case_manager": cast.operator_a.pk, "opened_on": "2025-03-01"},
    )
    case = Case.objects.get(area="housing")
    assert response.status_code == 302 and response.url == reverse("cases:case_detail", args=[case.pk])
    response = client.post(
        reverse("cases:case_assign", args=[case.pk]), {"case_manager": cast.coordinator_a.pk, "version": case.version}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.case_manager == cast.coordinator_a
    response = client.post(
        reverse("cases:case_close", args=[case.pk]),
        {"closed_on": "2025-04-01", "closing_reason": "goals_met", "closing_note": "", "version": case.version},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.closed_on) == ("closed", datetime.date(2025, 4, 1))


def test_closing_a_stale_case_says_so_and_keeps_the_input(cast, person_a, client_for):
    case = Case.objects.get(person=person_a)
    old_version = case.version
    services.case_assign(actor=cast.coordinator_a, case=case, case_manager=cast.coordinator_a)
    response = client_for(cast.operator_a).post(
        reverse("cases:case_close", args=[case.pk]),
        {"closed_on": "2025-04-01", "closing_reason": "drop_out", "closing_note": "Left.", "version": old_version},
    )
    text = response.content.decode()
    assert response.status_code == 409
    assert 'data-testid="stale"' in text and "Left." in text
    case.refresh_from_db()
    assert case.is_open
    assert f'name="version" value="{case.version}"' in text


def test_assigning_a_stranger_is_a_field_error(cast, person_a, client_for):
    case = Case.objects.get(person=person_a)
    response = client_for(cast.operator_a).post(
        reverse("cases:case_assign", args=[case.pk]), {"case_manager": cast.operator_b.pk, "version": case.version}
    )
    assert response.status_code == 200 and 'id="assign_case_manager_error"' in response.content.decode()
    case.refresh_from_db()
    assert case.case_manager == cast.operator_a


# ---------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "data",
    [
        {"from_unit": "UNIT_A", "to_unit": "999999", "area": "work", "reason": "x"},
        {"from_unit": "UNIT_A", "to_unit": "UNIT_B", "area": "bogus", "reason": "x"},
        {"from_unit": "UNIT_B", "to_unit": "UNIT_B", "area": "work", "reason": "x"},  # not my unit
        {"from_unit": "abc", "to_unit": "", "area": "", "reason": ""},
        {"from_unit": "UNIT_A", "to_unit": "CPS_A", "area": "work", "reason": "x"},  # my own organisation
    ],
)
def test_bad_referral_input_is_a_form_error(cast, person_a, client_for, data):
    consent_to_b(cast, person_a)
    units = {"UNIT_A": cast.unit_a.pk, "UNIT_B": cast.unit_b.pk, "CPS_A": cast.cps_a.pk}
    data = {key: units.get(value, value) for key, value in data.items()}
    response = client_for(cast.operator_a).post(reverse("cases:referral_create", args=[person_a.pk]), data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.parametrize("opened_on", ["2025-02-30", "soon", "2999-01-01", "2000-01-01"])
def test_bad_accept_dates_are_form_errors(cast, person_a, client_for, opened_on):
    referral = referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_b).post(
        reverse("cases:referral_accept", args=[referral.pk]),
        {"case_manager": cast.operator_b.pk, "opened_on": opened_on},
    )
    assert response.status_code == 200 and 'id="id_opened_on_error"' in response.content.decode()
    assert not Case.objects.filter(organisation=cast.org_b).exists()


@pytest.mark.parametrize("case_manager", ["999999", "abc", "OPERATOR_A"])
def test_accept_with_a_case_manager_of_another_organisation_is_a_form_error(cast, person_a, client_for, case_manager):
    referral = referral_a_to_b(cast, person_a)
    value = cast.operator_a.pk if case_manager == "OPERATOR_A" else case_manager
    response = client_for(cast.operator_b).post(
        reverse("cases:referral_accept", args=[referral.pk]), {"case_manager": value}
    )
    assert response.status_code == 200 and 'id="id_case_manager_error"' in response.content.decode()
    assert not Case.objects.filter(organisation=cast.org_b).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"closed_on": "2025-02-30", "closing_reason": "goals_met"},
        {"closed_on": "2025-04-01", "closing_reason": "bogus"},
        {"closed_on": "2024-01-01", "closing_reason": "goals_met"},  # before the opening
        {"closed_on": "2025-04-01", "closing_reason": "goals_met", "version": "x"},
        {"closed_on": "2025-04-01", "closing_reason": "goals_met", "closing_note": "n" * 501},
    ],
)
def test_bad_close_input_is_a_form_error(cast, person_a, client_for, data):
    case = Case.objects.get(person=person_a)
    data = {"version": case.version, **data}
    response = client_for(cast.operator_a).post(reverse("cases:case_close", args=[case.pk]), data)
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    case.refresh_from_db()
    assert case.is_open


@pytest.mark.parametrize(
    "data",
    [
        {"unit": "999999", "area": "housing"},
        {"unit": "UNIT_A", "area": "bogus"},
        {"unit": "UNIT_A", "area": "housing", "opened_on": "2025-02-30"},
        {"unit": "UNIT_A", "area": "work"},  # already open there
        {"unit": "UNIT_B", "area": "housing"},  # not my unit
    ],
)
def test_bad_case_open_input_is_a_form_error(cast, person_a, client_for, data):
    units = {"UNIT_A": cast.unit_a.pk, "UNIT_B": cast.unit_b.pk}
    data = {key: units.get(value, value) for key, value in data.items()}
    response = client_for(cast.operator_a).post(reverse("cases:case_open", args=[person_a.pk]), data)
    text = response.content.decode()
    assert response.status_code == 200 and ("invalid-feedback" in text or "alert-danger" in text)
    assert Case.objects.filter(person=person_a).count() == 1


@pytest.mark.parametrize(
    "query", ["?status=bogus&page_size=abc&page=zzz", "?status=all&page_size=7&page=-1", "?page=999"]
)
@pytest.mark.parametrize("name", ["cases:referral_inbox", "cases:referral_outbox"])
def test_bad_list_parameters_fall_back_to_defaults(cast, person_a, client_for, name, query):
    referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_b).get(reverse(name) + query)
    assert response.status_code == 200


# ---------------------------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("status", "shown"),
    [("", True), ("sent", True), ("rejected", False), ("all", True), ("withdrawn", False)],
)
def test_the_inbox_filters_by_status(cast, person_a, client_for, status, shown):
    referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_b).get(reverse("cases:referral_inbox"), {"status": status} if status else {})
    assert ("Rossi Maria" in response.content.decode()) is shown


def test_the_htmx_filter_gets_only_the_results(cast, person_a, client_for):
    referral_a_to_b(cast, person_a)
    response = client_for(cast.operator_a).get(
        reverse("cases:referral_outbox"), {"status": "sent"}, headers={"HX-Request": "true"}
    )
    text = response.content.decode()
    assert text.lstrip().startswith('<div id="referral-results">') and "Rossi Maria" in text


def test_a_withdrawn_consent_hides_the_name_from_the_receiver(cast, person_a, client_for):
    referral = referral_a_to_b(cast, person_a)
    referral.consent.withdrawn_on = timezone.localdate()
    referral.consent.save()
    client = client_for(cast.operator_b)
    assert "Rossi" not in client.get(reverse("cases:referral_inbox")).content.decode()
    detail = client.get(reverse("cases:referral_detail", args=[referral.pk])).content.decode()
    assert "Rossi" not in detail and person_a.fiscal_code not in detail


def _list_queries(client, url, page_size) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"status": "all", "page_size": page_size})
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["cases:referral_inbox", "cases:referral_outbox"])
def test_list_query_count_does_not_grow_with_rows_or_page_size(cast, client_for, name):
    def add_referrals(n):
        for _ in range(n):
            person = make_person(registered_by=cast.org_a)
            make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
            referral_a_to_b(cast, person)

    client = client_for(cast.operator_b if name == "cases:referral_inbox" else cast.operator_a)
    url = reverse(name)
    add_referrals(2)
    few = _list_queries(client, url, 10)
    add_referrals(30)
    many = _list_queries(client, url, 100)
    assert _list_queries(client, url, 10) == few == many
    assert few <= 8


def test_home_query_count_does_not_grow_with_the_caseload(cast, client_for):
    def add(n):
        for _ in range(n):
            person = make_person(registered_by=cast.org_a)
            make_case(person=person, unit=cast.unit_a, case_manager=cast.operator_a)
            make_referral(person=person, from_unit=cast.cps_a, to_unit=cast.unit_b, sent_by=cast.operator_a)

    client = client_for(cast.operator_a)
    add(1)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    add(15)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/")
    assert len(few.captured_queries) == len(many.captured_queries)
    assert response.content.decode().count('data-testid="caseload-row"') == 16


def test_home_shows_the_caseload_with_waiting_referrals(cast, person_a, client_for):
    referral_a_to_b(cast, person_a)
    text = client_for(cast.operator_a).get("/").content.decode()
    row = re.search(r'<tr data-testid="caseload-row">.*?</tr>', text, re.S).group(0)
    assert "Rossi Maria" in row and "Polo Lavoro Sacco" in row and "15/01/2025" in row
    assert "<td>1</td>" in row


# ---------------------------------------------------------------------------------------------- who may not


def _detail_and_mutation_urls(cast, person_a):
    """(method, url name, the hidden row's pk, post data) for every detail and mutation page."""
    referral = referral_a_to_b(cast, person_a)
    case = Case.objects.get(person=person_a)
    return [
        ("get", "cases:referral_detail", referral.pk, None),
        ("post", "cases:referral_accept", referral.pk, {"case_manager": ""}),
        ("post", "cases:referral_reject", referral.pk, {"reason": "No."}),
        ("post", "cases:referral_withdraw", referral.pk, {}),
        ("get", "cases:case_detail", case.pk, None),
        ("post", "cases:case_close", case.pk, {"closed_on": "2025-04-01", "closing_reason": "other", "version": 1}),
        ("post", "cases:case_assign", case.pk, {"case_manager": "", "version": 1}),
        ("get", "cases:referral_create", person_a.pk, None),
        ("post", "cases:referral_create", person_a.pk, {}),
        ("get", "cases:case_open", person_a.pk, None),
    ]


def _assert_hidden_like_missing(client, user, method, name, pk, data):
    missing_url, hidden_url = reverse(name, args=[999999]), reverse(name, args=[pk])
    missing = getattr(client, method)(missing_url, data)
    denied_before = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=user).count()
    hidden = getattr(client, method)(hidden_url, data)
    assert (hidden.status_code, missing.status_code) == (404, 404), name
    assert comparable(hidden, hidden_url) == comparable(missing, missing_url), name
    denied = AuditEvent.objects.filter(action=Action.ACCESS_DENIED, actor=user).order_by("-pk")
    assert denied.count() == denied_before + 1, name
    assert denied.first().outcome == Outcome.DENIED and denied.first().object_id == str(pk)


def test_a_third_organisation_finds_nothing_and_is_audited(cast, person_a, client_for, third):
    urls = _detail_and_mutation_urls(cast, person_a)
    client = client_for(third)
    for method, name, pk, data in urls:
        _assert_hidden_like_missing(client, third, method, name, pk, data)
    referral = Referral.objects.get()
    assert referral.status == "sent" and Case.objects.get(person=person_a).is_open


def test_the_receiver_does_not_reach_the_senders_case(cast, person_a, client_for):
    case = Case.objects.get(person=person_a)
    client = client_for(cast.operator_b)
    _assert_hidden_like_missing(client, cast.operator_b, "get", "cases:case_detail", case.pk, None)
    _assert_hidden_like_missing(
        client,
        cast.operator_b,
        "post",
        "cases:case_close",
        case.pk,
        {"closed_on": "2025-04-01", "closing_reason": "other", "version": 1},
    )
    # Even with the sharing consent (identity only), the person is not B's to refer or take in charge directly.
    consent_to_b(cast, person_a)
    _assert_hidden_like_missing(client, cast.operator_b, "get", "cases:referral_create", person_a.pk, None)


@pytest.mark.parametrize("role", ["analyst", "company_referent", "sysadmin", "dpo"])
def test_roles_without_person_access_find_no_page(cast, person_a, client_for, role):
    urls = _detail_and_mutation_urls(cast, person_a)
    client = client_for(getattr(cast, role))
    for name in ("cases:referral_inbox", "cases:referral_outbox"):
        assert client.get(reverse(name)).status_code == 404
    for method, name, pk, data in urls:
        assert getattr(client, method)(reverse(name, args=[pk]), data).status_code == 404, name
    assert Referral.objects.get().status == "sent"


def test_the_analysts_home_shows_counts_and_no_name(cast, person_a, client_for):
    referral_a_to_b(cast, person_a)
    response = client_for(cast.analyst).get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="aggregate-counts"' in text
    assert "Rossi" not in text and person_a.fiscal_code not in text
    assert AuditEvent.objects.filter(action=Action.AGGREGATE_VIEW, actor=cast.analyst).exists()


def test_the_peer_expert_reads_but_does_not_decide(cast, person_a, client_for):
    referral = make_referral(person=person_a, from_unit=cast.unit_b, to_unit=cast.unit_a, sent_by=cast.operator_b)
    client = client_for(cast.peer_a)
    page = client.get(reverse("cases:referral_detail", args=[referral.pk]))
    assert page.status_code == 200 and 'data-testid="referral-accept"' not in page.content.decode()
    assert client.post(reverse("cases:referral_accept", args=[referral.pk]), {}).status_code == 404
    referral.refresh_from_db()
    assert referral.status == "sent"
