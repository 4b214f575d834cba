"""The interface language as Ponte's bilingual data need it: "it" or "en".

Instruments, classifications and programmes carry their labels in both languages; they pick one with this.
"""

from django.utils.translation import get_language


def current_language() -> str:
    """The two-letter code of the active language; Italian, the default, when none is active."""
    return (get_language() or "it")[:2]
