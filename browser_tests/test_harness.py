"""The harness itself: axe-core runs in chromium and assert_accessible() fails on what it must fail on.

These use no Ponte server, so they also tell a broken browser set-up apart from a broken page.
"""

import pytest

from browser_tests.conftest import assert_accessible, axe_violations

pytestmark = pytest.mark.browser

INACCESSIBLE = """<!doctype html><html><head><title>t</title></head><body><main>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#bbb;background:#fff">low contrast</p>
<input type="text" name="fiscal_code">
</main></body></html>"""

ACCESSIBLE = """<!doctype html><html lang="it"><head><title>Prova</title></head><body><main>
<h1>Prova</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="Logo">
<label for="cf">Codice fiscale</label><input id="cf" type="text" name="fiscal_code">
</main></body></html>"""


@pytest.fixture
def blank_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def test_axe_reports_the_violations_of_a_bad_page(blank_page):
    blank_page.set_content(INACCESSIBLE)
    found = {violation["id"]: violation["impact"] for violation in axe_violations(blank_page)}
    assert found["image-alt"] == "critical"
    assert found["html-has-lang"] == "serious"
    assert found["label"] == "critical"
    assert found["color-contrast"] == "serious"


def test_assert_accessible_lists_every_blocking_violation(blank_page):
    blank_page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        assert_accessible(blank_page)
    message = str(failure.value)
    for rule in ["image-alt", "html-has-lang", "label", "color-contrast"]:
        assert f"- {rule} (" in message
    assert "img" in message and "input" in message


def test_assert_accessible_passes_a_clean_page(blank_page):
    blank_page.set_content(ACCESSIBLE)
    assert_accessible(blank_page)
