"""Template context for menus: flags, never decisions (those are in permissions.py)."""


def access(request):
    """The signed-in user's Access, for showing the menu entries they can use."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"ponte_access": None}
    from accounts.access import access_for

    return {"ponte_access": access_for(user)}
