"""A case manager starts an internship from an accepted proposal, enters a month of attendance and converts the
internship into a hiring; the person's paths timeline shows the hiring (issue 5).

The demo has accepted proposals of operatore.sacco's candidates that no path has started from yet; when it has none
left (another run took them), the test makes one through the pages: the case manager proposes a match and records
the candidate's yes, and the employer's yes is recorded by the company referent when the proposal is theirs, else
by the case manager on the company's word, as the proposal page allows.

Selectors rest on form field names, URLs and data-testid attributes, not on the interface's wording.
"""

import contextlib
import datetime
import re

import pytest

from browser_tests.conftest import (
    assert_accessible,
    fill_field,
    form_errors,
    login,
    logout,
    path_of,
)

pytestmark = pytest.mark.browser

CASE_MANAGER = "operatore.sacco"
COMPANY_REFERENT = "referente.azienda"
PROPOSAL = re.compile(r"^/opportunities/proposals/(\d+)/$")
CANDIDATE = re.compile(r"^/opportunities/candidates/(\d+)/")
PERSON = re.compile(r"^/persons/(\d+)/$")
PATH = re.compile(r"^/paths/(\d+)/$")


@contextlib.contextmanager
def step(name: str):
    """Name the step of the flow in the failure of anything inside it."""
    try:
        yield
    except Exception as exc:
        exc.add_note(f"during step: {name}")
        raise


def add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    return day.replace(year=day.year + month // 12, month=month % 12 + 1, day=1)


def ready_proposals(page) -> list[tuple[str, str]]:
    """(person pk, start-a-path URL) of the accepted proposals of the user's candidates that have no path yet."""
    page.goto("/opportunities/proposals/?status=accepted")
    proposals = [
        href
        for href in page.eval_on_selector_all("main a[href]", "links => links.map(a => a.pathname)")
        if PROPOSAL.match(href)
    ]
    found, seen = [], set()
    for proposal in proposals:
        page.goto(proposal)
        candidate = page.locator("main a[href^='/opportunities/candidates/']").first
        if not candidate.count():
            continue
        person_pk = CANDIDATE.match(candidate.get_attribute("href")).group(1)
        if person_pk in seen:
            continue
        seen.add(person_pk)
        page.goto(f"/paths/persons/{person_pk}/")
        for link in page.locator("[data-testid=start-path]").all():
            found.append((person_pk, link.get_attribute("href")))
    return found


def make_accepted_proposal(page) -> tuple[str, str]:
    """Propose a match to a candidate of the caseload, record both yeses; (person pk, start-a-path URL)."""
    page.goto("/")
    rows = page.locator("[data-testid=caseload-row] th a")
    person_paths = [rows.nth(n).get_attribute("href") for n in range(rows.count())]
    for person_path in person_paths:
        person_pk = PERSON.match(person_path).group(1)
        response = page.goto(f"/opportunities/candidates/{person_pk}/matches/")
        if response.status == 200 and page.locator("[data-testid=match-card] form button[type=submit]").count():
            break
    else:
        pytest.fail(f"no person of {CASE_MANAGER}'s caseload has a match that can be proposed")
    card = page.locator("[data-testid=match-card]:has(form)").first
    card.locator("textarea[name=note]").fill("Proposta per un tirocinio, poi assunzione.")
    with page.expect_navigation():
        card.locator("button[type=submit]").click()
    proposal_path = path_of(page)
    assert PROPOSAL.match(proposal_path), f"proposing landed on {proposal_path}"

    form = page.locator("form[action*='/decide/candidate/']")
    form.locator("input[name='candidate-decision'][value=yes]").check()
    with page.expect_navigation():
        form.locator("button[type=submit]").click()

    # The company's yes: its referent records it when the proposal is on their company's opportunity.
    logout(page)
    login(page, COMPANY_REFERENT)
    response = page.goto(proposal_path)
    employer_form = page.locator("form[action*='/decide/employer/']")
    decided_by_referent = response.status == 200 and employer_form.count() > 0
    if decided_by_referent:
        employer_form.locator("input[name='employer-decision'][value=yes]").check()
        with page.expect_navigation():
            employer_form.locator("button[type=submit]").click()
    logout(page)
    login(page, CASE_MANAGER)
    if not decided_by_referent:
        page.goto(proposal_path)
        employer_form = page.locator("form[action*='/decide/employer/']")
        employer_form.locator("input[name='employer-decision'][value=yes]").check()
        with page.expect_navigation():
            employer_form.locator("button[type=submit]").click()
    page.goto(f"/paths/persons/{person_pk}/")
    link = page.locator(f"[data-testid=start-path][href$='proposal={PROPOSAL.match(proposal_path).group(1)}']")
    assert link.count() == 1, "the accepted proposal is not offered on the person's paths page"
    return person_pk, link.get_attribute("href")


def plan_internship(page, start_url: str, start: datetime.date) -> bool:
    """Fill the path form reached from the proposal as an internship; True when it was planned."""
    page.goto(start_url)
    assert_accessible(page)
    form = page.locator("[data-testid=path-form]")
    fill_field(form, "kind", "internship")
    case = form.locator("select[name=case] option:not([value=''])")
    if case.count():
        form.locator("select[name=case]").select_option(case.first.get_attribute("value"))
    fill_field(form, "title", "Addetto al magazzino")
    fill_field(form, "starts_on", start.isoformat())
    fill_field(form, "planned_end_on", (add_months(start, 5) - datetime.timedelta(days=1)).isoformat())
    fill_field(form, "hours_per_week", "20")
    fill_field(form, "days_per_week", "5")
    fill_field(form, "host_tutor", "Sig.ra Verdi")
    tutors = form.locator("select[name=service_tutor] option:not([value=''])")
    form.locator("select[name=service_tutor]").select_option(tutors.first.get_attribute("value"))
    fill_field(form, "beneficiary_category", "standard")
    fill_field(form, "monthly_indemnity", "500")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    if PATH.match(path_of(page)):
        return True
    # The host may already have as many interns as Lombardy allows: try another proposal.
    errors = form_errors(page)
    assert errors, f"planning the internship stayed on {path_of(page)} without an error"
    return False


def test_from_an_accepted_proposal_to_an_internship_and_a_hiring(page):
    today = datetime.date.today()
    start = add_months(today, -1)  # the internship started on the first of last month: that month is complete

    with step("sign in and find an accepted proposal"):
        login(page, CASE_MANAGER)
        candidates = ready_proposals(page)

    with step("start an internship from it"):
        person_pk = None
        for candidate_pk, start_url in candidates:
            if plan_internship(page, start_url, start):
                person_pk = candidate_pk
                break
        else:
            person_pk, start_url = make_accepted_proposal(page)
            assert plan_internship(page, start_url, start), f"the internship was refused: {form_errors(page)}"
        internship_path = path_of(page)
        assert page.locator("[data-testid=path-status]").is_visible()
        assert page.locator("[data-testid=attendance-form]").count() == 1, "no attendance form on a planned internship"
        assert_accessible(page)

    with step("the internship starts"):
        form = page.locator("[data-testid=transition-form]")
        fill_field(form, "to_status", "active")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert path_of(page) == internship_path, f"activating landed on {path_of(page)}: {form_errors(page)}"
        assert page.locator("[data-testid=convert-form]").count() == 1, "an active internship offers no conversion"
        assert_accessible(page)

    with step("a month of attendance, with the indemnity due"):
        form = page.locator("[data-testid=attendance-form]")
        page.locator("[data-testid=attendance-form] input[name=month]").fill(start.strftime("%Y-%m"))
        fill_field(form, "planned_hours", "80")
        fill_field(form, "attended_hours", "72")  # 90%: the full indemnity
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        assert path_of(page) == internship_path, f"the attendance was refused: {form_errors(page)}"
        row = page.locator("[data-testid=attendance] tbody tr")
        assert row.count() == 1, "the month is not in the attendance table"
        assert start.strftime("%m/%Y") in row.first.inner_text()
        total = page.locator("[data-testid=indemnity-total]").inner_text()
        assert re.search(r"500[.,]00", total), f"the indemnity due reads {total!r}, expected €500.00"
        assert_accessible(page)

    with step("convert the internship to a hiring"):
        form = page.locator("[data-testid=convert-form]")
        fill_field(form, "kind", "hiring_open")
        fill_field(form, "starts_on", today.isoformat())
        fill_field(form, "hours_per_week", "20")
        with page.expect_navigation():
            form.locator("button[type=submit]").click()
        hiring_path = path_of(page)
        assert PATH.match(hiring_path) and hiring_path != internship_path, (
            f"converting landed on {hiring_path}: {form_errors(page)}"
        )
        assert page.locator(f"main a[href='{internship_path}']").count(), "the hiring does not link its internship"
        assert page.locator("[data-testid=follow-up]").count() == 4, "the hiring has not its four checks"
        assert_accessible(page)

    with step("the person's paths timeline shows the hiring"):
        page.goto(f"/paths/persons/{person_pk}/")
        rows = page.locator("[data-testid=path-row]")
        hiring_row = rows.filter(has=page.locator(f"a[href='{hiring_path}']"))
        internship_row = rows.filter(has=page.locator(f"a[href='{internship_path}']"))
        assert hiring_row.count() == 1, "the timeline does not show the hiring"
        assert internship_row.count() == 1, "the timeline does not show the internship"
        assert_accessible(page)
