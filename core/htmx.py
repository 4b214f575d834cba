"""htmx helpers: one URL per page, and an htmx request gets a partial of the same template."""

from django.template.response import TemplateResponse


def render_page(request, template: str, context: dict, *, partial: str | None = None, status: int = 200):
    """Render `template`, or only its `partial` when the request comes from htmx."""
    name = template
    if partial and getattr(request, "htmx", False) and not request.htmx.boosted:
        name = f"{template}#{partial}"
    return TemplateResponse(request, name, context, status=status)
