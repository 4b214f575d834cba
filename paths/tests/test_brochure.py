"""The yearly catalogue of training groups as a PDF brochure (WeasyPrint), read back with pypdf."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from paths import services


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def plan_group(cast, *, year: int, title: str, topic: str = "Portali e candidature", day: int = 5):
    group = services.group_create(
        actor=cast.coordinator_a,
        year=year,
        title=title,
        topic=topic,
        target="Candidati dei Poli Lavoro",
        partner_organisation=cast.org_b,
        conductor=cast.operator_a,
        co_conductor=cast.operator_b,
        place="Via Sassetti 32, Milano",
        capacity=10,
    )
    services.session_add(
        actor=cast.operator_a,
        group=group,
        starts_at=timezone.make_aware(datetime.datetime(year, 10, day, 14, 0)),
        ends_at=timezone.make_aware(datetime.datetime(year, 10, day, 16, 0)),
        subject="Il curriculum",
    )
    return group


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_brochure_is_a_pdf_listing_the_years_groups_with_their_sessions(cast, client_for):
    plan_group(cast, year=2026, title="Cercare lavoro online")
    plan_group(cast, year=2026, title="Diritti e doveri al lavoro", topic="Contratti, buste paga", day=12)
    plan_group(cast, year=2025, title="Gruppo dell'anno prima")

    response = client_for(cast.operator_b).get(reverse("paths:group_brochure_pdf") + "?year=2026")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "Training and information groups 2026" in text
    assert "Cercare lavoro online" in text and "Diritti e doveri al lavoro" in text
    assert "Contratti, buste paga" in text and "Via Sassetti 32, Milano" in text
    assert "05/10/2026" in text and "12/10/2026" in text and "14:00" in text and "Il curriculum" in text
    assert "Gruppo dell'anno prima" not in text


def test_an_empty_year_prints_a_brochure_that_says_so(cast, client_for):
    response = client_for(cast.operator_a).get(reverse("paths:group_brochure_pdf") + "?year=2031")
    assert response["Content-Type"] == "application/pdf"
    assert "No group planned for this year." in pdf_text(response.content)


def test_the_groups_page_links_the_brochure(cast, client_for):
    page = client_for(cast.operator_a).get(reverse("paths:groups") + "?year=2026").content.decode()
    assert reverse("paths:group_brochure_pdf") + "?year=2026" in page


def test_a_bad_year_falls_back_to_this_year(cast, client_for):
    plan_group(cast, year=timezone.localdate().year, title="Gruppo di quest'anno")
    response = client_for(cast.operator_a).get(reverse("paths:group_brochure_pdf") + "?year=abc")
    assert response.status_code == 200 and "Gruppo di quest'anno" in pdf_text(response.content)


def test_roles_without_person_access_find_no_brochure(cast, client_for):
    for user in (cast.analyst, cast.company_referent, cast.sysadmin):
        assert client_for(user).get(reverse("paths:group_brochure_pdf")).status_code == 404, user
