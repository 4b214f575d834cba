"""Sections that domain apps contribute to the home page (ADR 0015).

The home view belongs to `cases`, but what a user must see first in the morning comes from several apps (overdue
follow-up checks from `paths`, for instance). Rather than have `cases` import them, each app registers a section
from its `AppConfig.ready()`; the home view renders whatever is registered. `core` knows no domain app.

A section is a template and a function of the request returning its context, or None when it has nothing to show
to this user. The function decides who sees the section (a policy of its own app) and must run a fixed number of
queries, so that the home page's query count stays bounded.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class HomeSection:
    """One block of the home page: `context(request)` gives the template's context, or None to show nothing."""

    name: str
    template: str
    context: Callable[[HttpRequest], dict | None]
    order: int = 100


_sections: dict[str, HomeSection] = {}


def register_home_section(section: HomeSection) -> None:
    """Add (or replace, by name) a section of the home page; call it from an AppConfig.ready()."""
    _sections[section.name] = section


def home_sections() -> list[HomeSection]:
    """The registered sections, in their order."""
    return sorted(_sections.values(), key=lambda s: (s.order, s.name))


def render_home_sections(request: HttpRequest) -> list[SafeString]:
    """The HTML of every section that has something to show to the request's user."""
    rendered = []
    for section in home_sections():
        context = section.context(request)
        if context is None:
            continue
        rendered.append(render_to_string(section.template, context, request=request))
    return rendered
