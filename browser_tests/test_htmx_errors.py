"""A form submitted through htmx that answers 422 shows its errors in place (base.html's htmx-config).

htmx 2 drops 4xx answers by default; without the page-wide setting a case manager who left a required field
empty would see nothing happen. The employer's contact log is one such form.
"""

import pytest

from browser_tests.conftest import assert_accessible, form_errors, login, path_of

pytestmark = pytest.mark.browser


def test_contact_log_errors_are_shown_in_place(page):
    login(page, "operatore.sacco")
    page.goto("/opportunities/employers/")
    link = page.locator("main table tbody tr th a, main table tbody tr td a").first
    assert link.count(), "the scouting list shows no employer"
    link.click()
    page.wait_for_load_state()
    employer_page = path_of(page)
    form = page.locator("[data-testid=employer-contacts] form").first
    assert form.count(), "operatore.sacco cannot log a contact here"
    form.locator("[name=contacted_on]").fill("")
    with page.expect_response(lambda response: "/contacts/new/" in response.url) as answer:
        form.locator("button[type=submit]").click()
    assert answer.value.status == 422
    page.locator("[data-testid=employer-contacts] .is-invalid").first.wait_for()
    assert form_errors(page), "the errors of the contact form are not shown"
    assert path_of(page) == employer_page, "the page was left instead of showing the errors in place"
    assert_accessible(page)
