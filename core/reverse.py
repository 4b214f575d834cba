"""Reversing URLs whose arguments are record keys, without walking the URL patterns at every call (ADR 0025).

Django's `reverse()` takes about 30 µs: it looks the name up through the namespaces, then checks and quotes the
candidate against its pattern. Most of Ponte's links are a named URL and one or two primary keys, and there the
work depends only on the name, the number of keys, the URLconf, the script prefix and the current application:
`reverse()` here does it once for those, with marks in place of the keys, and afterwards puts the keys in.
Anything else (keyword arguments, text, negative numbers, a view instead of a name) goes to Django's `reverse()`.
The `{% url %}` tag of every template uses it (core/templatetags/ponte_urls.py).
"""

from functools import lru_cache

from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf
from django.urls import reverse as django_reverse

# Keys no table reaches, each written once in a URL so that its place can be found. The int converter's pattern
# ([0-9]+) takes any of them; a converter that refuses one makes the name fall back to Django's reverse().
_MARKS = tuple(str(987_654_320_000 + n) for n in range(1, 10))
_NOT_KEYED = object()


@lru_cache(maxsize=4096)
def _shape(viewname: str, count: int, urlconf: str, prefix: str, current_app: str | None):
    """The URL of `viewname` with `count` keys as a format string ("/persons/{0}/edit/"), or _NOT_KEYED."""
    marks = _MARKS[:count]
    try:
        url = django_reverse(viewname, urlconf=urlconf, args=marks, current_app=current_app)
    except NoReverseMatch:
        return _NOT_KEYED
    if any(url.count(mark) != 1 for mark in marks):
        return _NOT_KEYED
    shape = url.replace("{", "{{").replace("}", "}}")
    for index, mark in enumerate(marks):
        shape = shape.replace(mark, f"{{{index}}}")
    return shape


def reverse(viewname, urlconf=None, args=None, kwargs=None, current_app=None):
    """django.urls.reverse(), with the pattern walked once per name when the arguments are keys (ints ≥ 0)."""
    args = args or ()
    if (
        not kwargs
        and len(args) <= len(_MARKS)
        and isinstance(viewname, str)
        and all(type(arg) is int and arg >= 0 for arg in args)
    ):
        shape = _shape(viewname, len(args), urlconf or get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(),
                       current_app)  # fmt: skip
        if shape is not _NOT_KEYED:
            return shape.format(*args)
    return django_reverse(viewname, urlconf=urlconf, args=args, kwargs=kwargs, current_app=current_app)


@receiver(setting_changed, dispatch_uid="ponte_reverse_setting_changed")
def _urlconf_changed(*, setting, **kwargs):
    """Tests that change the URLconf empty the shapes, as Django empties its resolvers."""
    if setting == "ROOT_URLCONF":
        _shape.cache_clear()
