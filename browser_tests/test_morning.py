"""The morning of a case manager, end to end in chromium, through four accounts and two organisations.

Sacco's operator registers a person, records their sharing consent with Niguarda and refers them to Niguarda's
Polo Lavoro; Niguarda's operator accepts the referral and sees the identity but not the clinical content; Sacco's
coordinator sees Niguarda's read in the access log; the ATS analyst sees counts and no name.

Selectors rest on form field names, URLs and data-testid attributes, not on the interface's wording.
"""

import contextlib
import datetime
import re
import secrets

import pytest
from codicefiscale import codicefiscale

from browser_tests.conftest import (
    choose_option,
    fill_field,
    form_errors,
    form_with,
    login,
    logout,
    main_link_paths,
    path_of,
    submit,
    today_iso,
)

pytestmark = pytest.mark.browser

PERSON_DETAIL = re.compile(r"^/persons/(\d+)/$")
REFERRAL_DETAIL = re.compile(r"^/referrals/(\d+)/$")
FISCAL_CODE = re.compile(r"\b[A-Z]{6}[0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]\b")
DIAGNOSIS_GROUP = re.compile(r"\bF\d\d\s*[–-]\s*F\d\d\b")

# A made-up surname (three syllables and a Lombard ending) that the seeded registry will not have.
_SYLLABLES = ["ba", "ce", "do", "fa", "gi", "lo", "ma", "ne", "pi", "ro", "sa", "te", "va", "zo", "bru"]
_ENDINGS = ["ni", "ri", "tti", "lli", "ghi", "zzi"]
_FIRST_NAMES = {
    "F": ["Giulia", "Chiara", "Elena", "Francesca", "Silvia", "Marta", "Paola", "Irene", "Laura"],
    "M": ["Marco", "Luca", "Paolo", "Davide", "Stefano", "Andrea", "Matteo", "Simone", "Fabio"],
}


@contextlib.contextmanager
def step(name: str):
    """Name the step of the morning in the failure of anything inside it."""
    try:
        yield
    except Exception as exc:
        exc.add_note(f"during step: {name}")
        raise


def new_identity() -> dict[str, str]:
    """Identity data with a valid fiscal code, random enough to be new to the seeded registry."""
    sex = secrets.choice(["F", "M"])
    birth_date = datetime.date(1965, 1, 1) + datetime.timedelta(days=secrets.randbelow(35 * 365))
    data = {
        "last_name": "".join(secrets.choice(_SYLLABLES) for _ in range(3)).capitalize() + secrets.choice(_ENDINGS),
        "first_name": secrets.choice(_FIRST_NAMES[sex]),
        "sex": sex,
        "birth_date": birth_date.isoformat(),
        "birth_place": "Milano",
    }
    data["fiscal_code"] = codicefiscale.encode(
        lastname=data["last_name"],
        firstname=data["first_name"],
        gender=sex,
        birthdate=birth_date.strftime("%d/%m/%Y"),
        birthplace="Milano",
    )
    return data


def person_links(page) -> list[str]:
    """Distinct person pages linked from <main>, in order."""
    return list(dict.fromkeys(path for path in main_link_paths(page) if PERSON_DETAIL.match(path)))


def register(page, person: dict[str, str]) -> None:
    page.goto("/persons/new/")
    form = form_with(page, "fiscal_code")
    for name in ["fiscal_code", "first_name", "last_name", "sex", "birth_date", "birth_place"]:
        fill_field(form, name, person[name])
    submit(form)


def main_text(page) -> str:
    return page.locator("main").inner_text()


def test_morning(page):
    person = new_identity()
    code = person["fiscal_code"]

    with step("1. operatore.sacco signs in and sees the caseload and the referrals waiting"):
        login(page, "operatore.sacco")
        response = page.goto("/")
        assert response.status == 200, f"the home page answered {response.status}"
        assert page.locator("#caseload-title").is_visible()
        assert page.locator("#inbox-title").is_visible()

    with step("2a. the registry search finds a known person and not the new one"):
        response = page.goto("/persons/")
        assert response.status == 200
        listed = person_links(page)
        assert listed, "operatore.sacco's person list links to no person page"
        first = page.locator(f"main a[href$='{listed[0]}']").first.inner_text().split()[0]
        page.goto(f"/persons/?q={first}")
        assert listed[0] in person_links(page), f"searching {first!r} lost {listed[0]}"
        page.goto(f"/persons/?q={code}")
        assert person_links(page) == [], f"{code} is already in the registry"

    with step("2b. registering the new person opens their record"):
        register(page, person)
        match = PERSON_DETAIL.match(path_of(page))
        assert match, f"registration ended on {page.url}: {form_errors(page)}"
        person_path, pk = match.group(0), match.group(1)
        assert code in main_text(page)

    with step("2c. registering the same fiscal code again offers the existing record"):
        register(page, person)
        assert not PERSON_DETAIL.match(path_of(page)) or path_of(page) == person_path, (
            f"a second registration of {code} ended on another record: {page.url}"
        )
        assert person_path in main_link_paths(page), f"the duplicate {person_path} is not offered on {page.url}"
        page.goto(f"/persons/?q={code}")
        assert person_links(page) == [person_path], "the registry holds more than one record for the fiscal code"

    with step("3a. a sharing consent with Niguarda is recorded on the person page"):
        page.goto(person_path)
        if not page.locator("form:has([name=purpose])").count():
            page.locator("[data-testid=consent-new]").first.click()
        form = form_with(page, "purpose")
        fill_field(form, "purpose", "sharing")
        choose_option(form, "organisation", "Niguarda")
        fill_field(form, "given_on", today_iso())
        # All the sections a sharing consent can open (contacts, social, cases): never clinical content.
        sections = form.locator("input[type=checkbox][name=sections]")
        for index in range(sections.count()):
            sections.nth(index).check()
        if form.locator("select[name=sections]").count():
            values = form.locator("select[name=sections] option").evaluate_all("os => os.map(o => o.value)")
            form.locator("select[name=sections]").select_option([v for v in values if v])
        submit(form)
        assert not form_errors(page), f"the consent was refused: {form_errors(page)}"

    with step("3b. the person is referred to Niguarda's Polo Lavoro"):
        page.goto(person_path)
        if not page.locator("form:has([name=to_unit])").count():
            page.locator("[data-testid=referral-new]").first.click()
        form = form_with(page, "to_unit")
        from_unit = form.locator("select[name=from_unit]")
        if from_unit.count() and not from_unit.input_value():
            choose_option(form, "from_unit", "Sacco")
        choose_option(form, "to_unit", "Niguarda", "Polo Lavoro")
        fill_field(form, "area", "work")
        fill_field(form, "reason", "Percorso di inserimento lavorativo: chiede un tirocinio vicino a casa.")
        submit(form)
        assert not form_errors(page), f"the referral was refused: {form_errors(page)}"
        page.goto("/referrals/sent/")
        assert person["last_name"] in main_text(page), "the referral is not in Sacco's outbox"

    with step("4. operatore.niguarda accepts the referral: a case opens at Niguarda with a case manager"):
        logout(page)
        login(page, "operatore.niguarda")
        page.goto("/referrals/received/")
        rows = page.locator("main tr, main li").filter(has_text=person["last_name"])
        referral_links = [
            path
            for path in rows.locator("a[href]").evaluate_all("links => links.map(a => a.pathname)")
            if REFERRAL_DETAIL.match(path)
        ]
        assert referral_links, "the referral is not in Niguarda's inbox (a row with the person's name and its link)"
        page.goto(referral_links[0])
        form = form_with(page, "case_manager")
        manager = form.locator("select[name=case_manager]")
        if not manager.input_value():
            manager.select_option(index=1)
        manager_label = " ".join(manager.locator("option:checked").inner_text().split())
        submit(form)
        assert not form_errors(page), f"accepting was refused: {form_errors(page)}"
        page.goto(person_path)
        cases = page.locator("[data-testid=case-row]").filter(has_text="Niguarda")
        assert cases.count() == 1, "the person's page shows no case at Niguarda"
        assert manager_label in " ".join(cases.first.inner_text().split()), "the Niguarda case has no case manager"

    with step("5. operatore.niguarda sees the identity but not the diagnosis group"):
        text = main_text(page)
        assert code in text and person["last_name"] in text
        assert page.locator("[data-testid=person-clinical]").count() == 0
        assert not DIAGNOSIS_GROUP.search(text), "a diagnosis group is shown to Niguarda's operator"
        # The same page shows the clinical section to Sacco's clinician: the absence above is the access rule.
        logout(page)
        login(page, "clinico.sacco")
        page.goto(person_path)
        assert page.locator("[data-testid=person-clinical]").count() == 1

    with step("6. coordinatore.sacco sees Niguarda's read in 'who accessed this record'"):
        logout(page)
        login(page, "coordinatore.sacco")
        response = page.goto(f"/audit/persons/{pk}/")
        assert response.status == 200
        views = page.locator("[data-action='person.view']").filter(has_text="operatore.niguarda")
        assert views.count() >= 1, "the access log shows no view of the record by operatore.niguarda"

    with step("7. analista.ats sees counts and no person"):
        logout(page)
        login(page, "analista.ats")
        response = page.goto("/")
        assert response.status == 200, f"the home page answered {response.status}"
        counts = page.locator("[data-testid=aggregate-counts]")
        assert counts.is_visible(), "the analyst's home page shows no aggregate counts"
        assert re.search(r"\d", counts.inner_text())
        text = main_text(page)
        assert person["last_name"] not in text and not FISCAL_CODE.search(text)
        response = page.goto("/persons/")
        if response.status == 200:
            assert person_links(page) == [] and not FISCAL_CODE.search(main_text(page))
        else:
            assert response.status in {403, 404}
        response = page.goto(person_path)
        assert response.status in {403, 404}
