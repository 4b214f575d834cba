"""The main menu's entries for the signed-in user: flags from each app's permissions, never decisions.

This is project wiring (like config/urls.py): it is the one place that knows every app's menu entries.
The flags are computed lazily, so a page that does not render the menu (an htmx partial) costs nothing.
"""

from django.utils.functional import SimpleLazyObject


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


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"ponte_menu": {}}
    return {"ponte_menu": SimpleLazyObject(lambda: _menu(user))}
