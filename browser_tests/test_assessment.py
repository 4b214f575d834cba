"""A case manager fills in an employability assessment and completes it; the band shows (issue 3)."""

import re

import pytest

from browser_tests.conftest import assert_accessible, login, path_of

pytestmark = pytest.mark.browser


def test_fill_in_and_complete_an_employability_assessment(page):
    login(page, "operatore.sacco")
    page.goto("/")
    persons = [a.get_attribute("href") for a in page.locator("[data-testid=caseload-row] th a").all()]
    assert persons, "operatore.sacco has no caseload"
    for person in persons:
        page.goto(person)
        if page.locator("[data-testid=person-assessments]").count():
            break
    else:
        pytest.fail("no person of the caseload links to their assessments")
    with page.expect_navigation():
        page.locator("[data-testid=person-assessments]").click()
    start = page.locator("[data-testid=assessment-start]")
    assert start.count(), "operatore.sacco may not start an assessment here"
    choice = start.locator("select[name=instrument] option").filter(has_text=re.compile("ollocabilit|mployability"))
    assert choice.count(), "the employability instrument is not offered"
    start.locator("select[name=instrument]").select_option(value=choice.first.get_attribute("value"))
    with page.expect_navigation():
        start.locator("button[type=submit]").click()
    assert re.match(r"^/assessments/\d+/fill/$", path_of(page)), f"landed on {path_of(page)}"
    assert_accessible(page)

    form = page.locator("[data-testid=assessment-form]")
    # Answer every scale and choice the operator may answer with its middle option: a real, complete assessment.
    names = sorted({r.get_attribute("name") for r in form.locator("input[type=radio]").all()})
    assert names, "the fill page shows no item to answer"
    for name in names:
        options = form.locator(f"input[type=radio][name='{name}']")
        options.nth(options.count() // 2).check()
    for select in form.locator("select").all():
        if select.locator("option").count() > 1 and not select.input_value():
            select.select_option(index=1)
    with page.expect_navigation():
        form.locator("button[name=action][value=complete]").click()
    assert re.match(r"^/assessments/\d+/$", path_of(page)), f"completing left the user on {path_of(page)}"
    scores = page.locator("#scores-title + *, section[aria-labelledby=scores-title]").first.inner_text()
    assert re.search(r"\d", scores), "the completed assessment shows no score"
    assert page.locator("a[href$='/fill/']").count() == 0, "a completed assessment can still be filled in"
    assert_accessible(page)
