"""Filters of the referral lists. Bad values fall back to the defaults: a list never answers 500."""

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import ReferralStatus

ALL = "all"
PAGE_SIZES = (10, 25, 50, 100)
DEFAULT_PAGE_SIZE = 25


class ReferralFilterForm(forms.Form):
    """Status and page size of /referrals/received/ and /referrals/sent/."""

    status = forms.ChoiceField(label=_("Status"), choices=[*ReferralStatus.choices, (ALL, _("All"))], required=False)
    page_size = forms.TypedChoiceField(
        label=_("Per page"), choices=[(n, n) for n in PAGE_SIZES], coerce=int, required=False
    )

    def __init__(self, data=None, *, default_status: str, **kwargs):
        self.default_status = default_status
        super().__init__(data if data is not None else {}, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"
        self.is_valid()

    def _value(self, name, default):
        if name in self.errors:
            return default
        return self.cleaned_data.get(name) or default

    @property
    def chosen_status(self) -> str:
        """The chosen status code, or ALL."""
        return self._value("status", self.default_status)

    @property
    def status_filter(self) -> str | None:
        """What the selectors take: a status, or None for all."""
        return None if self.chosen_status == ALL else self.chosen_status

    @property
    def chosen_page_size(self) -> int:
        return self._value("page_size", DEFAULT_PAGE_SIZE)

    def query(self) -> str:
        """The filter as a query string, for pagination links."""
        return f"status={self.chosen_status}&page_size={self.chosen_page_size}"
