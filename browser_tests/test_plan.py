"""An individual plan end to end in chromium: Sacco's operator registers a person, writes a costed plan with the
person's agreement and a review date, approves it and opens its PDF; the pages pass axe-core on the way.

Selectors rest on form field names, URLs and data-testid attributes, not on the interface's wording.
"""

import re

import pytest

from browser_tests.conftest import (
    assert_accessible,
    choose_option,
    fill_field,
    form_errors,
    form_with,
    login,
    path_of,
    submit,
    today_iso,
)
from browser_tests.test_morning import new_identity, register, step

pytestmark = pytest.mark.browser

PERSON_DETAIL = re.compile(r"^/persons/(\d+)/$")
PLAN_DETAIL = re.compile(r"^/plans/(\d+)/$")


def _save(page, field_values: dict[str, str]) -> None:
    form = form_with(page, next(iter(field_values)))
    for name, value in field_values.items():
        fill_field(form, name, value)
    submit(form)
    assert PLAN_DETAIL.match(path_of(page)), f"saving ended on {page.url}: {form_errors(page)}"


def test_approve_a_plan_and_print_it(page):
    with step("1. operatore.sacco registers a person and opens their plan page from the record"):
        login(page, "operatore.sacco")
        register(page, new_identity())
        assert PERSON_DETAIL.match(path_of(page)), f"registration ended on {page.url}: {form_errors(page)}"
        page.locator("[data-testid=person-plans]").click()
        page.wait_for_load_state()
        assert_accessible(page)

    with step("2. a draft is opened"):
        with page.expect_navigation():
            page.locator("[data-testid=plan-start] [type=submit]").click()
        match = PLAN_DETAIL.match(path_of(page))
        assert match, f"starting a plan ended on {page.url}"
        plan_path = path_of(page)

    with step("3. a goal with an action and a costed resource"):
        page.locator("[data-testid=goal-new]").click()
        _save(page, {"area": "housing", "title": "Vivere in autonomia"})
        page.locator("[data-testid=action-new]").first.click()
        form = form_with(page, "description")
        fill_field(form, "description", "Supporto educativo domiciliare")
        choose_option(form, "organisation", "Sacco")
        fill_field(form, "operator_name", "Educatrice professionale")
        submit(form)
        assert path_of(page) == plan_path, form_errors(page)
        page.locator("[data-testid=resource-new]").first.click()
        _save(page, {"description": "Educatore a domicilio", "funding_source": "asst", "cost": "2400.50"})
        assert "2.400,50" in page.locator("[data-testid=budget-total]").inner_text()

    with step("4. a review date and the person's agreement"):
        page.locator("[data-testid=review-new]").click()
        _save(page, {"planned_on": "2030-06-30"})
        page.locator("[data-testid=plan-edit]").click()
        form_with(page, "person_agreed").locator("[name=person_agreed]").check()
        _save(page, {"starts_on": today_iso(), "agreed_on": today_iso()})
        assert_accessible(page)

    with step("5. approval puts the plan in force"):
        page.locator("[data-testid=plan-approve]").click()
        page.wait_for_load_state()
        assert_accessible(page)
        form = page.locator("[data-testid=approve-form]")
        submit(form)
        assert path_of(page) == plan_path, form_errors(page)
        assert page.locator("[data-testid=plan-edit]").count() == 0, "an approved plan still offers editing"

    with step("6. the PDF of the approved version"):
        href = page.locator("[data-testid=plan-pdf]").get_attribute("href")
        response = page.request.get(href)
        assert response.status == 200, f"the PDF answered {response.status}: {response.text()[:300]}"
        assert response.headers["content-type"] == "application/pdf"
        assert response.body().startswith(b"%PDF")
