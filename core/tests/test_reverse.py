"""core.reverse.reverse and the {% url %} tag give Django's URLs for every named URL of Ponte."""

import pytest
from django.template import Context, Engine, Template
from django.test import override_settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, set_script_prefix
from django.urls import reverse as django_reverse

from core.reverse import _shape, reverse

KEYS = (0, 7, 4096, 2_147_483_647)


def named(resolver=None, namespace=""):
    """Every name of the URLconf, with its namespaces."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from named(pattern, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
        elif pattern.name:
            yield namespace + pattern.name


def outcome(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except NoReverseMatch:
        return NoReverseMatch


def test_every_named_url_with_keys_is_djangos():
    compared = 0
    for name in sorted(set(named())):
        for count in range(4):
            for key in KEYS:
                args = [key + n for n in range(count)]
                expected = outcome(django_reverse, name, args=args)
                assert outcome(reverse, name, args=args) == expected, (name, args)
                compared += expected is not NoReverseMatch
    assert compared > 400  # most of Ponte's links are a name and a key


@pytest.mark.parametrize(
    "args, kwargs",
    [
        (["12"], None),  # text: Django's way
        ([-1], None),  # refused by the int converter
        ([True], None),
        (None, {"pk": 12}),
        ([12, 13, 14, 15, 16, 17, 18, 19, 20, 21], None),  # more keys than marks
    ],
)
def test_other_arguments_go_to_django(args, kwargs):
    assert outcome(reverse, "people:detail", args=args, kwargs=kwargs) == outcome(
        django_reverse, "people:detail", args=args, kwargs=kwargs
    )


def test_script_prefix_and_urlconf_are_part_of_the_shape():
    set_script_prefix("/ponte/")
    try:
        assert reverse("people:detail", args=[5]) == django_reverse("people:detail", args=[5]) == "/ponte/persons/5/"
    finally:
        set_script_prefix("/")
    assert reverse("people:detail", args=[5]) == "/persons/5/"
    with override_settings(ROOT_URLCONF="bench.urls"):
        assert reverse("demo:limit", args=[5]) == django_reverse("demo:limit", args=[5])
    assert outcome(reverse, "demo:limit", args=[5]) is NoReverseMatch
    assert _shape.cache_info().currsize > 0


def test_the_url_tag_renders_as_djangos():
    source = (
        "{% url 'people:detail' pk %}|{% url 'people:consent_withdraw' pk 9 %}|{% url 'people:list' %}|"
        "{% url 'people:detail' pk as link %}[{{ link }}]|{% url 'no:such' as missing %}[{{ missing }}]|"
        "{% url name pk %}"
    )
    context = {"pk": 31, "name": "people:edit"}
    assert type(Template(source).nodelist[0]).__module__ == "core.templatetags.ponte_urls"  # the builtin is ours
    ours = Template(source).render(Context(context))
    djangos = Engine(builtins=[]).from_string(source).render(Context(context))
    assert (
        ours == djangos == "/persons/31/|/persons/31/consents/9/withdraw/|/persons/|[/persons/31/]|[]|/persons/31/edit/"
    )
    with pytest.raises(NoReverseMatch):
        Template("{% url 'no:such' 1 %}").render(Context())
    escaped = "{% url 'admin:accounts_user_change' 'a&b' %}"  # text goes to Django's reverse, escaped as there
    assert Template(escaped).render(Context()) == Engine(builtins=[]).from_string(escaped).render(Context())
    assert "a&amp;b" in Template(escaped).render(Context())
