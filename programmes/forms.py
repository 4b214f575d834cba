"""Forms of the programme and indicator pages."""

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import NON_CARE_KINDS, TerritoryKind
from accounts.models import Organisation, Territory
from core.forms import PonteFormMixin, date_input
from programmes.models import ManualValue

MAX_SPAN_DAYS = 366 * 20


class ScopeForm(PonteFormMixin, forms.Form):
    """The period and territory of the figures; invalid input falls back to the default period."""

    start = forms.DateField(label=_("from"), widget=date_input())
    end = forms.DateField(label=_("to"), widget=date_input())
    territory = forms.ModelChoiceField(
        label=_("territory"),
        required=False,
        empty_label=_("Whole network"),
        queryset=Territory.objects.filter(
            kind__in=[TerritoryKind.ATS, TerritoryKind.ASST, TerritoryKind.AMBITO]
        ).order_by("kind", "name"),
    )
    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        required=False,
        empty_label=_("All organisations"),
        queryset=Organisation.objects.filter(is_active=True).exclude(kind__in=NON_CARE_KINDS).order_by("name"),
    )

    def __init__(self, data=None, *, default_start: datetime.date, default_end: datetime.date, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("start", default_start.isoformat())
        data.setdefault("end", default_end.isoformat())
        super().__init__(data, **kwargs)
        self.default_start, self.default_end = default_start, default_end

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and (end < start or (end - start).days > MAX_SPAN_DAYS):
            raise forms.ValidationError(_("The period must end after it starts, within twenty years."))
        return cleaned

    def chosen(self) -> dict:
        """start, end, territory and organisation: the valid choices, or the defaults."""
        if self.is_valid():
            return dict(self.cleaned_data)
        return {"start": self.default_start, "end": self.default_end, "territory": None, "organisation": None}


def default_period(programme=None) -> tuple[datetime.date, datetime.date]:
    """The programme's own period when the document gives both ends; otherwise the current year so far."""
    if programme is not None and programme.starts_on and programme.ends_on:
        return programme.starts_on, programme.ends_on
    today = timezone.localdate()
    return datetime.date(today.year, 1, 1), today


class ManualValueForm(PonteFormMixin, forms.ModelForm):
    """A value of a manual indicator, with where to check it."""

    class Meta:
        model = ManualValue
        fields = ["on", "value", "evidence"]
        widgets = {"on": date_input(), "evidence": forms.Textarea(attrs={"rows": 3})}
