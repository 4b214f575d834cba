"""The main pages have no serious or critical WCAG 2.x A/AA violations (axe-core, in chromium)."""

import re

import pytest

from browser_tests.conftest import assert_accessible, login, main_link_paths, path_of

pytestmark = pytest.mark.browser

PERSON_DETAIL = re.compile(r"^/persons/\d+/$")


def test_login_page(page):
    response = page.goto("/accounts/login/")
    assert response.status == 200
    assert page.locator("input[name=username]").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize("username", ["operatore.sacco", "analista.ats", "dpo"])
def test_home_page(page, username):
    login(page, username)
    response = page.goto("/")
    assert response.status == 200, f"the home page of {username} answered {response.status}"
    assert_accessible(page)


@pytest.mark.parametrize(
    "path", ["/persons/", "/referrals/received/", "/referrals/sent/", "/persons/new/"], ids=lambda p: p.strip("/")
)
def test_page_of_an_operator(page, path):
    login(page, "operatore.sacco")
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_accessible(page)


def test_person_detail(page):
    login(page, "operatore.sacco")
    response = page.goto("/persons/")
    assert response.status == 200
    paths = main_link_paths(page)
    first = next((i for i, path in enumerate(paths) if PERSON_DETAIL.match(path)), None)
    assert first is not None, "the person list of operatore.sacco links to no person page (/persons/<id>/)"
    with page.expect_navigation() as navigation:
        page.locator("main a[href]").nth(first).click()
    assert navigation.value.status == 200, f"{paths[first]} answered {navigation.value.status}"
    assert PERSON_DETAIL.match(path_of(page))
    assert_accessible(page)


@pytest.mark.parametrize(
    "path",
    [
        "/opportunities/employers/",
        "/opportunities/scouting/",
        "/opportunities/next-steps/",
        "/opportunities/catalogue/",
        "/opportunities/proposals/",
        "/assessments/",
        "/paths/follow-ups/",
        "/paths/activities/",
        "/paths/activities/report/",
        "/paths/groups/",
        "/plans/vocabulary/",
        "/plans/vocabulary/?q=abitare",
    ],
    ids=lambda p: p.strip("/").replace("/", "-"),
)
def test_job_inclusion_page_of_an_operator(page, path):
    login(page, "operatore.sacco")
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_accessible(page)


def test_follow_up_agenda_with_overdue_checks(page):
    """The agenda highlights overdue checks: axe must see such a row, or their contrast goes unchecked."""
    login(page, "operatore.sacco")
    assert page.goto("/paths/follow-ups/").status == 200
    overdue = page.locator("[data-testid=agenda-row].table-danger")
    assert overdue.count() > 0, "the demo gives operatore.sacco no overdue check: the highlighted rows go unchecked"
    assert overdue.first.locator("a[href^='/paths/']").count() == 1
    assert_accessible(page)


def test_merge_pages(page):
    """Choosing the other record, then the two records side by side with their differences highlighted."""
    login(page, "operatore.sacco")
    assert page.goto("/persons/").status == 200
    rows = page.locator("[data-testid=person-row]")
    assert rows.count() >= 2, "operatore.sacco sees fewer than two persons"
    other_code = rows.nth(1).locator("td").first.inner_text().strip()
    with page.expect_navigation():
        rows.first.locator("th a").click()
    merge = page.locator("[data-testid=person-merge]")
    assert merge.count() == 1, "operatore.sacco may not merge the first person of the list"
    with page.expect_navigation():
        merge.click()
    assert_accessible(page)  # choosing the other record
    page.locator("input[name=fiscal_code]").fill(other_code)
    with page.expect_navigation():
        page.locator("button[name=choose]").click()
    differing = page.locator("main table tr.table-warning")
    assert differing.count() > 0, "two different persons side by side show no differing field"
    assert_accessible(page)  # side by side, nothing merged


@pytest.mark.parametrize(
    "path",
    ["/imports/", "/opportunities/figures/", "/programmes/", "/programmes/indicators/"],
    ids=lambda p: p.strip("/").replace("/", "-"),
)
def test_page_of_a_coordinator(page, path):
    login(page, "coordinatore.sacco")
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    assert_accessible(page)


def test_employer_page(page):
    login(page, "operatore.sacco")
    assert page.goto("/opportunities/employers/").status == 200
    link = page.locator("main table a[href^='/opportunities/employers/']").first
    assert link.count() == 1, "the employers list links to no employer page"
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.status == 200
    assert_accessible(page)


def test_assessments_of_a_person(page):
    """From the caseload to a person's assessments, then to one assessment."""
    login(page, "operatore.sacco")
    page.goto("/")
    rows = page.locator("[data-testid=caseload-row] th a")
    assert rows.count() > 0, "operatore.sacco has no caseload"
    for n in range(rows.count()):
        page.goto("/")
        with page.expect_navigation():
            page.locator("[data-testid=caseload-row] th a").nth(n).click()
        if page.locator("[data-testid=person-assessments]").count():
            break
    else:
        pytest.fail("no person of the caseload links to their assessments")
    with page.expect_navigation() as navigation:
        page.locator("[data-testid=person-assessments]").click()
    assert navigation.value.status == 200
    assert_accessible(page)
    detail = page.locator("main a[href^='/assessments/']").filter(has_text=re.compile(r"\S")).first
    if detail.count():
        with page.expect_navigation() as navigation:
            detail.click()
        assert navigation.value.status == 200
        assert_accessible(page)


def test_assessment_comparison(page):
    """Two assessments of a person side by side, changed answers highlighted: from the caseload, the first person
    with a follow-up assessment to compare."""
    login(page, "operatore.sacco")
    page.goto("/")
    persons = page.locator("[data-testid=caseload-row] th a").evaluate_all("links => links.map(a => a.pathname)")
    for path in persons:
        page.goto(path)
        link = page.locator("[data-testid=person-assessments]")
        if not link.count():
            continue
        page.goto(link.get_attribute("href"))
        compare = page.locator("[data-testid=compare-previous]")
        if compare.count():
            break
    else:
        pytest.fail("no person of operatore.sacco's caseload has two assessments to compare")
    with page.expect_navigation() as navigation:
        compare.first.click()
    assert navigation.value.status == 200
    assert page.locator("[data-testid=compare-answers] tr.table-warning").count() > 0, "no changed answer is shown"
    assert_accessible(page)


def test_programme_page(page):
    login(page, "coordinatore.sacco")
    assert page.goto("/programmes/").status == 200
    link = page.locator("main a[href^='/programmes/']:not([href^='/programmes/indicators'])").first
    assert link.count() == 1, "the programme list links to no programme"
    with page.expect_navigation() as navigation:
        link.click()
    assert navigation.value.status == 200
    assert_accessible(page)


def test_indicators_of_the_analyst(page):
    login(page, "analista.ats")
    assert page.goto("/programmes/indicators/").status == 200
    assert_accessible(page)


def test_paths_and_plan_of_a_person(page):
    """From the caseload to a person's job-inclusion paths and plan, then one path: each page passes axe-core."""
    login(page, "operatore.sacco")
    page.goto("/")
    persons = [a.get_attribute("href") for a in page.locator("[data-testid=caseload-row] th a").all()]
    assert persons, "operatore.sacco has no caseload"
    checked = set()
    for person in persons:
        page.goto(person)
        for testid in ("person-paths", "person-plans"):
            link = page.locator(f"[data-testid={testid}]")
            if testid in checked or not link.count():
                continue
            with page.expect_navigation() as navigation:
                link.click()
            assert navigation.value.status == 200
            assert_accessible(page)
            if testid == "person-paths":
                detail = page.locator("main a[href^='/paths/']").filter(has_text=re.compile(r"\S"))
                hrefs = [h for h in (a.get_attribute("href") for a in detail.all()) if re.match(r"^/paths/\d+/$", h)]
                if not hrefs:
                    page.goto(person)
                    continue
                assert page.goto(hrefs[0]).status == 200
                assert_accessible(page)
            checked.add(testid)
            page.goto(person)
        if checked == {"person-paths", "person-plans"}:
            break
    assert checked == {"person-paths", "person-plans"}, f"only {sorted(checked)} found in the caseload"
