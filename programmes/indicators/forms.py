"""The "Break down by" choice of the indicator dashboard."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PonteFormMixin
from programmes.indicators import REGISTRY
from programmes.indicators.counting import DIMENSIONS, BreakdownNotAllowed, check_breakdown


def breakable_indicators() -> list[tuple[str, str]]:
    """The indicators the engine can break down, by title."""
    keys = [k for k, d in REGISTRY.items() if d.counting is not None and d.breakdowns]
    return sorted(((k, str(REGISTRY[k].title)) for k in keys), key=lambda pair: pair[1])


class BreakdownForm(PonteFormMixin, forms.Form):
    """An indicator and the dimension to break it down by; a dimension it does not declare is refused."""

    indicator = forms.ChoiceField(label=_("Indicator"))
    by = forms.ChoiceField(label=_("Break down by"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = breakable_indicators()
        self.fields["by"].choices = [(k, d.title) for k, d in DIMENSIONS.items()]

    def clean(self):
        cleaned = super().clean()
        key, by = cleaned.get("indicator"), cleaned.get("by")
        if key and by:
            try:
                check_breakdown(key, by)
            except BreakdownNotAllowed as exc:
                allowed = ", ".join(str(DIMENSIONS[d].title) for d in REGISTRY[key].breakdowns if d in DIMENSIONS)
                raise forms.ValidationError(
                    _("%(problem)s It can be broken down by: %(allowed)s.") % {"problem": exc, "allowed": allowed}
                ) from exc
        return cleaned
