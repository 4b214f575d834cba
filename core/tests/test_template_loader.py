"""Templates are compiled once per language, their constant {% translate %} tags turned into text
(core/template_loader.py, ADR 0021): what they render must be exactly what Django's own cached loader renders.
"""

import copy
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.templatetags.i18n import TranslateNode
from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from core.testing.cast import make_consent

TEMPLATES = {
    "page.html": (
        "{% load i18n partials %}<h1>{% translate 'Persons' %}</h1>"
        "<a>{% translate 'Open' context 'link to a page' %}</a>"
        "{% translate 'Cases' as label %}<p>{{ label }}</p>"
        "<p>{% translate name %}</p><p>{% translate 'Persons'|upper %}</p>"
        "<p lang='en'>{% language 'en' %}{% translate 'Persons' %}{% endlanguage %}</p>"
        "{% if flag %}<b>{% translate 'Edit' %}</b>{% elif items %}{% translate 'Refer' %}"
        "{% else %}{% translate 'Consents' %}{% endif %}"
        "<ul>{% for item in items %}<li>{{ item }} {% translate 'Status' %}</li>"
        "{% empty %}<li>{% translate 'No cases.' %}</li>{% endfor %}</ul>"
        "{% with n=items|length %}{% translate 'Identity' %} {{ n }}{% endwith %}"
        "{% partialdef row inline %}<td>{% translate 'Withdrawn' %}</td>{% endpartialdef %}"
        "{% translate 'Shared sections' noop %}"
        "{% block main %}{% translate 'Unit' %}{% endblock %}"
        "<footer>{% translate 'Health data of vulnerable people: every access is recorded.' %}</footer>"
    ),
    "child.html": (
        "{% extends 'page.html' %}{% load i18n %}{% block main %}{% translate 'Referrals' %} {{ block.super }}"
        "{% endblock %}"
    ),
}
CONTEXTS = [{}, {"flag": True, "name": "Persons"}, {"items": ["a", "<b>"], "name": "Cases"}]


def _engine(loader: str) -> Engine:
    return Engine(
        loaders=[(loader, [("django.template.loaders.locmem.Loader", TEMPLATES)])],
        libraries={"i18n": "django.templatetags.i18n", "partials": "template_partials.templatetags.partials"},
    )


def _translate_nodes(nodelist):
    for node in nodelist:
        if isinstance(node, TranslateNode):
            yield node
        for name in node.child_nodelists:
            yield from _translate_nodes(getattr(node, name, None) or [])
        for _condition, branch in getattr(node, "conditions_nodelists", ()):
            yield from _translate_nodes(branch)


def test_templates_render_as_with_djangos_cached_loader_in_each_language():
    ours, django_s = _engine("core.template_loader.Loader"), _engine("django.template.loaders.cached.Loader")
    for language in ["it", "en", "it"]:  # back to Italian: the English entries must not replace the Italian ones
        with translation.override(language):
            for name in TEMPLATES:
                for values in CONTEXTS:
                    expected = django_s.get_template(name).render(Context(values))
                    assert ours.get_template(name).render(Context(values)) == expected
    with translation.override("it"):
        assert "<h1>Persone</h1>" in ours.get_template("child.html").render(Context())
    with translation.override("en"):
        assert "<h1>Persons</h1>" in ours.get_template("child.html").render(Context())


def test_only_the_tags_that_depend_on_the_context_are_left():
    with translation.override("it"):
        template = _engine("core.template_loader.Loader").get_template("page.html")
    left = sorted(node.token.contents for node in _translate_nodes(template.nodelist))
    assert left == [
        "translate 'Cases' as label",
        "translate 'Persons'",  # inside {% language 'en' %}
        "translate 'Persons'|upper",
        "translate name",
    ]


def test_the_text_around_a_translated_tag_is_one_node():
    with translation.override("it"):
        template = _engine("core.template_loader.Loader").get_template("page.html")
    first = template.nodelist[1]  # after {% load %}
    assert first.s == "<h1>Persone</h1><a>Apri</a>"


def _plain_templates():
    """The project's TEMPLATES with Django's own cached loader in place of core.template_loader.Loader."""
    templates = copy.deepcopy(settings.TEMPLATES)
    partials = templates[0]["OPTIONS"]["loaders"][0]
    (_ours, sources) = partials[1][0]
    templates[0]["OPTIONS"]["loaders"] = [(partials[0], [("django.template.loaders.cached.Loader", sources)])]
    return templates


def _page(client, url: str, language: str) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF token is masked anew at every render.
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1…", response.content.decode())


@pytest.mark.parametrize("language", ["it", "en"])
def test_the_main_pages_are_the_same_as_with_djangos_loader(cast, person_a, client_for, language):
    make_consent(person=person_a, organisation=cast.org_b, recorded_by=cast.operator_a, sections=["contacts"])
    client = client_for(cast.operator_a)
    urls = [reverse("home"), reverse("people:list"), reverse("people:detail", args=[person_a.pk])]
    ours = [_page(client, url, language) for url in urls]
    with override_settings(TEMPLATES=_plain_templates()):
        assert [_page(client, url, language) for url in urls] == ours


def test_a_recompiled_catalogue_empties_the_compiled_templates():
    from django.template import engines
    from django.utils.autoreload import file_changed

    engine = engines["django"].engine
    engine.get_template("base.html")
    (ours,) = engine.template_loaders[0].loaders
    assert ours.get_template_cache
    file_changed.send(sender=None, file_path=Path(settings.BASE_DIR) / "README.md")
    assert ours.get_template_cache  # not a catalogue
    file_changed.send(sender=None, file_path=Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.mo")
    assert not ours.get_template_cache
