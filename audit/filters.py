"""The filters of the data-protection officer's audit log, and the records a person's history spans."""

import datetime
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from audit.choices import Action, Outcome
from core.forms import PonteErrorList
from people.fiscal import normalise_fiscal_code
from people.models import Person

PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50
# Dates outside these bounds are refused: they are typing errors, and a day past 9999 cannot be computed.
EARLIEST_DATE = datetime.date(2000, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)
# A chain of merges (A into B, then B into C) longer than this is not expected; the walk stops there.
MAX_MERGE_DEPTH = 20
# A personal fiscal code (16 letters and digits) or a provisional one (11 digits).
_FISCAL_CODE = re.compile(r"[A-Z0-9]{16}|[0-9]{11}")


def with_merged_records(person_ids: Iterable[int]) -> set[int]:
    """The records `person_ids` and every record merged into them, directly or through a chain of merges.

    Audit rows keep the id of the record they were written for, so a person's history spans all of these.
    """
    ids = set(person_ids)
    frontier = set(ids)
    for _depth in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        found = set(Person.objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= found
        frontier = found
    return ids


def person_ids_for_fiscal_code(fiscal_code: str) -> tuple[int | None, set[int]]:
    """The live record with this fiscal code (or else a merged one) and every record of that person."""
    matches = list(
        Person.objects.filter(fiscal_code=fiscal_code)
        .order_by(F("merged_into").asc(nulls_first=True), "pk")
        .values_list("pk", flat=True)
    )
    if not matches:
        return None, set()
    return matches[0], with_merged_records(matches)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of `day` in Ponte's time zone: a day of the log is a local day."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[MinValueValidator(EARLIEST_DATE), MaxValueValidator(LATEST_DATE)],
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )


class AuditLogFilterForm(forms.Form):
    """Filters of /audit/ and /audit/export.csv, read from the query string. All are optional."""

    action = forms.ChoiceField(
        label=_("action"),
        required=False,
        choices=[("", _("Any action")), *Action.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    outcome = forms.ChoiceField(
        label=_("outcome"),
        required=False,
        choices=[("", _("Any outcome")), *Outcome.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    organisation = forms.ModelChoiceField(
        label=_("organisation"),
        required=False,
        queryset=Organisation.objects.order_by("name").only("pk", "name", "short_name"),
        empty_label=_("Any organisation"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    username = forms.CharField(
        label=_("username"),
        required=False,
        max_length=150,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    fiscal_code = forms.CharField(
        label=_("fiscal code"),
        required=False,
        max_length=32,
        help_text=_("The events of every record of this person, merged records included."),
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off", "spellcheck": "false"}),
    )
    per_page = forms.TypedChoiceField(
        label=_("per page"),
        required=False,
        choices=[(size, size) for size in PAGE_SIZES],
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, data=None, *args, **kwargs):
        kwargs.setdefault("error_class", PonteErrorList)
        if data is not None and not data.get("per_page"):
            # The page size in use is the one the select shows as chosen.
            data = data.copy()
            data["per_page"] = str(DEFAULT_PAGE_SIZE)
        super().__init__(data, *args, **kwargs)
        # Events carry the organisation's full name; the choices use it too.
        self.fields["organisation"].label_from_instance = lambda organisation: organisation.name
        # The query parameters are "from" and "to"; "from" is a Python keyword, so they are added here.
        self.fields = {"from": _date_field(_("from")), "to": _date_field(_("to")), **self.fields}
        self.person_id: int | None = None
        self.person_ids: set[int] = set()

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean_fiscal_code(self) -> str:
        code = normalise_fiscal_code(self.cleaned_data["fiscal_code"])
        if code and not _FISCAL_CODE.fullmatch(code):
            raise forms.ValidationError(
                _("Enter a fiscal code: 16 letters and digits, or 11 digits for a provisional one."),
                code="fiscal_code",
            )
        if code:
            self.person_id, self.person_ids = person_ids_for_fiscal_code(code)
        return code

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and start > end:
            self.add_error("to", _("The end date is before the start date."))
        return cleaned

    def filter(self, events: QuerySet) -> QuerySet:
        """`events` narrowed by the valid filters; call after is_valid()."""
        data = self.cleaned_data
        q = Q()
        if data.get("from"):
            q &= Q(at__gte=_start_of(data["from"]))
        if data.get("to"):
            q &= Q(at__lt=_start_of(data["to"] + datetime.timedelta(days=1)))
        for name in ("action", "outcome"):
            if data.get(name):
                q &= Q(**{name: data[name]})
        if data.get("organisation"):
            q &= Q(organisation_id=data["organisation"].pk)
        if data.get("username"):
            q &= Q(actor_username__iexact=data["username"])
        if data.get("fiscal_code"):
            q &= Q(person_id__in=sorted(self.person_ids))
        return events.filter(q)

    def as_detail(self) -> dict[str, Any]:
        """The filters in use, as JSON-ready values for an audit event's detail."""
        detail: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if name == "per_page" or value in (None, ""):
                continue
            if isinstance(value, datetime.date):
                value = value.isoformat()
            elif isinstance(value, Organisation):
                value = value.pk
            detail[name] = value
        if self.cleaned_data.get("fiscal_code"):
            detail["person_ids"] = sorted(self.person_ids)
        return detail
