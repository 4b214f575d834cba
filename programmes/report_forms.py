"""Forms of the annual report and the territory comparison."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import TerritoryKind
from accounts.models import Territory
from core.forms import PonteFormMixin, date_input
from programmes.forms import MAX_SPAN_DAYS
from programmes.models import Programme
from programmes.report import FIRST_YEAR


class ReportForm(PonteFormMixin, forms.Form):
    """The territory and year of a programme's annual report."""

    territory = forms.ModelChoiceField(
        label=_("territory"),
        required=False,
        empty_label=_("Whole network"),
        queryset=Territory.objects.filter(
            kind__in=[TerritoryKind.ATS, TerritoryKind.ASST, TerritoryKind.AMBITO]
        ).order_by("kind", "name"),
    )
    year = forms.IntegerField(label=_("year"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"] = forms.IntegerField(
            label=_("year"),
            min_value=FIRST_YEAR,
            max_value=today.year + 1,
            initial=today.year - 1 if today.month < 4 else today.year,
            widget=forms.NumberInput(attrs={"class": "form-control"}),
        )


class ComparisonForm(PonteFormMixin, forms.Form):
    """The period of the territory comparison and, optionally, the programme whose indicators it compares."""

    start = forms.DateField(label=_("from"), widget=date_input())
    end = forms.DateField(label=_("to"), widget=date_input())
    programme = forms.ModelChoiceField(
        label=_("programme"),
        required=False,
        to_field_name="code",
        empty_label=_("Every registered indicator"),
        queryset=Programme.objects.order_by("short_title"),
    )

    def __init__(self, data=None, *, default_start, default_end, programmes=None, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("start", default_start.isoformat())
        data.setdefault("end", default_end.isoformat())
        super().__init__(data, **kwargs)
        if programmes is not None:
            self.fields["programme"].queryset = programmes
        self.default_start, self.default_end = default_start, default_end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and (end < start or (end - start).days > MAX_SPAN_DAYS):
            raise forms.ValidationError(_("The period must end after it starts, within twenty years."))
        return cleaned
