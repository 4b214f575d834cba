"""The main menu's entries for the signed-in user: flags from each app's permissions, never decisions.

This is project wiring (like config/urls.py): it is the one place that knows every app's menu entries.
The flags are computed lazily, so a page that does not render the menu (an htmx partial) costs nothing.
"""

from functools import lru_cache

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils.functional import SimpleLazyObject
from django.utils.translation import get_language

# The Access properties includes/nav.html reads (as `a`).
NAV_ACCESS_FLAGS = ("sees_persons", "sees_aggregates", "is_dpo")


def _menu(user) -> dict[str, bool]:
    from governance.permissions import can_view_governance
    from imports.permissions import can_import
    from opportunities import permissions as employers

    return {
        "employers": employers.is_scout(user),
        "figures": employers.can_view_operator_figures(user),
        "my_employer": bool(employers.referent_org_ids(user)),
        "catalogue": employers.sees_catalogue(user),
        "imports": can_import(user),
        "governance": can_view_governance(user),
    }


@lru_cache(maxsize=256)
def _nav_html(language: str, script_prefix: str, access_flags: tuple, menu_flags: tuple) -> str:
    """includes/nav.html for one combination of flags: the same for every user who has them.

    Every page draws the menu, and rendering its links and labels cost about as much as a query. Its only inputs
    are the flags, the language and the URL prefix, all in the arguments, so a rendered menu is never stale.
    """
    return render_to_string("includes/nav.html", {"ponte_access": dict(access_flags), "ponte_menu": dict(menu_flags)})


def _nav(user, menu) -> str:
    from accounts.access import access_for

    access = access_for(user)
    access_flags = tuple((name, bool(getattr(access, name))) for name in NAV_ACCESS_FLAGS)
    menu_flags = tuple(sorted((name, bool(value)) for name, value in menu.items()))
    # In development a changed nav.html shows at once, as other templates do.
    render = _nav_html.__wrapped__ if settings.DEBUG else _nav_html
    return render(get_language(), get_script_prefix(), access_flags, menu_flags)


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"ponte_menu": {}, "ponte_nav": ""}
    menu = SimpleLazyObject(lambda: _menu(user))
    return {"ponte_menu": menu, "ponte_nav": SimpleLazyObject(lambda: _nav(user, menu))}
