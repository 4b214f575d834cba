"""The cached template loader, with Ponte's templates compiled once per language (ADR 0021).

Ponte's templates hold about 1,600 `{% translate "…" %}` tags of constant text. Django looks each one up in the
catalogue at every render: on the record page, the busiest of Ponte, that was a tenth of the page's time. This
loader caches one compiled template per language instead of one in all, and in each it replaces every constant
`{% translate %}` by the text it renders in that language, merged with the text around it.

The replacement is exact: the text is what the tag itself renders, for the language of the cache entry, which is
the language active when the page asks for the template (the one the tag would have rendered in). A tag that
depends on the context is left alone: a variable, a filter, `as name`, or a tag inside `{% language %}`.
Translations change only with a deployment, which restarts the processes and empties the cache. In development,
the autoreloader empties it when a template or a compiled catalogue (.mo) changes.
"""

from django.dispatch import receiver
from django.template import Context
from django.template.autoreload import reset_loaders
from django.template.base import Node, NodeList, TextNode
from django.template.loaders import cached
from django.template.loaders.base import Loader as BaseLoader
from django.templatetags.i18n import LanguageNode, TranslateNode
from django.utils.autoreload import file_changed
from django.utils.translation import get_language


def _is_constant(node: Node) -> bool:
    """Whether `node` is a `{% translate %}` whose output depends on the language only."""
    if type(node) is not TranslateNode or node.asvar or node.filter_expression.filters:
        return False
    if getattr(node.filter_expression.var, "literal", None) is None:  # a variable, not quoted text
        return False
    context = node.message_context
    return context is None or (isinstance(context.var, str) and not context.filters)


def _text(node: TranslateNode) -> TextNode:
    text = TextNode(node.render(Context()))
    text.token, text.origin = node.token, node.origin
    return text


def _children(node: Node):
    """The node lists inside `node`: {% if %} keeps its branches apart, the other tags name theirs."""
    if hasattr(node, "conditions_nodelists"):  # IfNode.nodelist is a new list of all branches, made at each call
        return [branch for _condition, branch in node.conditions_nodelists]
    return [child for name in node.child_nodelists if isinstance(child := getattr(node, name, None), NodeList)]


def translate_constants(nodelist: NodeList) -> None:
    """Replace, in place and at any depth, the constant `{% translate %}` nodes of `nodelist` by their text."""
    compiled = []
    for node in nodelist:
        if _is_constant(node):
            node = _text(node)
        elif not isinstance(node, LanguageNode):  # inside {% language %} the tags render in another language
            for child in _children(node):
                translate_constants(child)
        if type(node) is TextNode and compiled and type(compiled[-1]) is TextNode:
            merged = TextNode(compiled[-1].s + node.s)
            merged.token, merged.origin = compiled[-1].token, compiled[-1].origin
            compiled[-1] = merged
        else:
            compiled.append(node)
    nodelist[:] = compiled


class _Translating(BaseLoader):
    """Translates the constant tags of each template as it is compiled, before the cache keeps it."""

    def get_template(self, template_name, skip=None):
        template = super().get_template(template_name, skip)
        translate_constants(template.nodelist)
        return template


class Loader(cached.Loader, _Translating):
    """django.template.loaders.cached.Loader with one entry per template and language."""

    def cache_key(self, template_name, skip=None):
        return f"{get_language()}:{super().cache_key(template_name, skip)}"


@receiver(file_changed, dispatch_uid="ponte_template_loader_catalogue_changed")
def catalogue_changed(sender, file_path, **kwargs):
    """In development: a recompiled catalogue empties the compiled templates, as Django empties its translations.

    Django's own receiver for templates looks only at files in the template directories.
    """
    if file_path.suffix == ".mo":
        reset_loaders()
