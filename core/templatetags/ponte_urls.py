"""`{% url %}` for every template (a builtin in config/settings/base.py): Django's tag, reversing through
core.reverse.reverse, which walks the URL patterns once per name when the arguments are record keys (ADR 0025)."""

from django import template
from django.template import defaulttags
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape

from core.reverse import reverse

register = template.Library()


class URLNode(defaulttags.URLNode):
    """django.template.defaulttags.URLNode, rendering with core.reverse.reverse."""

    def render(self, context):
        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        url = ""
        try:
            url = reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = url
            return ""
        return conditional_escape(url) if context.autoescape else url


@register.tag
def url(parser, token):
    """Parsed as Django's {% url %}; rendered by URLNode above."""
    node = defaulttags.url(parser, token)
    return URLNode(node.view_name, node.args, node.kwargs, node.asvar)
