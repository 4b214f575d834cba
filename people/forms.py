"""Forms of the person registry's pages. They validate input; the services decide and write."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation
from core.forms import PonteFormMixin, date_input
from people.choices import ConsentPurpose, ShareSection
from people.fiscal import fiscal_code_errors, normalise_fiscal_code
from people.models import Person
from people.sections import FIELD_SECTION, IDENTITY_FIELDS

# The fields a person form may show, in page order. Household membership is managed elsewhere.
IDENTITY_FORM_FIELDS = tuple(field for field in IDENTITY_FIELDS if field != "birth_place_code")
CONTACT_FORM_FIELDS = ("residence_comune", "residence_municipio", "address", "phone", "email")
SOCIAL_FORM_FIELDS = (
    "education",
    "work_history",
    "civil_invalidity_percent",
    "law68_registered",
    "law68_registered_on",
)
CLINICAL_FORM_FIELDS = ("diagnosis_group",)
PERSON_FORM_FIELDS = (*IDENTITY_FORM_FIELDS, *CONTACT_FORM_FIELDS, *SOCIAL_FORM_FIELDS, *CLINICAL_FORM_FIELDS)
# Fields whose change is checked at once against the fiscal code (inline validation).
FISCAL_CHECK_FIELDS = ("fiscal_code", "sex", "birth_date", "birth_place")
# Sections of the form, each a fieldset with a legend.
FIELDSETS = (
    ("identity", _("Identity"), IDENTITY_FORM_FIELDS),
    ("contacts", _("Residence and contacts"), CONTACT_FORM_FIELDS),
    ("social", _("Education, work, invalidity and Law 68"), SOCIAL_FORM_FIELDS),
    ("clinical", _("Clinical"), CLINICAL_FORM_FIELDS),
)


class PersonForm(PonteFormMixin, forms.ModelForm):
    """The fields of a person the user may write: built with only those (`fields`)."""

    fiscal_code = forms.CharField(
        label=_("fiscal code"),
        max_length=32,  # people type it with spaces; it is normalised to 16 characters
        help_text=_("16 characters, as on the health card."),
    )

    class Meta:
        model = Person
        fields = list(PERSON_FORM_FIELDS)
        widgets = {
            "birth_date": date_input(),
            "law68_registered_on": date_input(),
            "work_history": forms.Textarea(attrs={"rows": 3}),
            "sex": forms.RadioSelect,
        }

    def __init__(self, *args, fields=None, **kwargs):
        super().__init__(*args, **kwargs)
        if fields is not None:
            for name in list(self.fields):
                if name not in fields and name != "version":
                    del self.fields[name]
        if "sex" in self.fields:
            # A ModelForm adds a blank choice to a required radio; the fiscal code knows two values only.
            self.fields["sex"].choices = [c for c in self.fields["sex"].choices if c[0]]
        for name in FISCAL_CHECK_FIELDS:
            if name in self.fields:
                self.fields[name].widget.attrs["data-fiscal-check"] = "1"

    def fieldsets(self):
        """(key, legend, bound fields) of the sections that have fields in this form."""
        result = []
        for key, legend, names in FIELDSETS:
            bound = [self[name] for name in names if name in self.fields]
            if bound:
                result.append((key, legend, bound))
        return result

    def clean_fiscal_code(self):
        return normalise_fiscal_code(self.cleaned_data["fiscal_code"])

    def clean(self):
        cleaned = super().clean()
        if "fiscal_code" in cleaned:
            errors = fiscal_code_errors(
                cleaned["fiscal_code"],
                sex=cleaned.get("sex") or None,
                birth_date=cleaned.get("birth_date"),
                birth_place=cleaned.get("birth_place") or None,
            )
            for name, messages in errors.items():
                target = name if name in self.fields else None
                for message in messages:
                    if target is None or target not in self._errors:
                        self.add_error(target, message)
        if cleaned.get("law68_registered_on") and "law68_registered" in self.fields:
            if not cleaned.get("law68_registered"):
                self.add_error("law68_registered", _("Tick the registration when you give its date."))
        return cleaned

    def _get_validation_exclusions(self):
        # The uniqueness of the fiscal code is the service's: it answers without revealing a record the user
        # may not see, whereas the model's constraint check would say "exists" for any record of the network.
        exclusions = super()._get_validation_exclusions()
        exclusions.add("fiscal_code")
        return exclusions

    def person_data(self) -> dict:
        """The cleaned values of the person's fields, for the services."""
        return {name: self.cleaned_data[name] for name in self.fields if name in PERSON_FORM_FIELDS}


class PersonCreateForm(PersonForm):
    """Registration: identity, profile, the registering organisation when several, and the duplicate check."""

    organisation = forms.ModelChoiceField(
        label=_("registering organisation"), queryset=Organisation.objects.none(), required=False
    )
    confirm_different = forms.BooleanField(
        label=_("I checked the possible duplicates: this is a different person."), required=False
    )

    def __init__(self, *args, write_org_ids=(), clinical=False, **kwargs):
        fields = [name for name in PERSON_FORM_FIELDS if clinical or name not in CLINICAL_FORM_FIELDS]
        super().__init__(*args, fields=[*fields, "organisation", "confirm_different"], **kwargs)
        if len(write_org_ids) > 1:
            self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=write_org_ids).order_by("name")
            self.fields["organisation"].required = True
        else:
            del self.fields["organisation"]


class PersonEditForm(PersonForm):
    """A change: only the fields of the sections the user sees, based on the version read."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def changed_person_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.changed_data if name in PERSON_FORM_FIELDS}


class ConsentForm(PonteFormMixin, forms.Form):
    """A consent the person gave, for one purpose, to one organisation."""

    purpose = forms.ChoiceField(label=_("purpose"), choices=ConsentPurpose.choices)
    organisation = forms.ModelChoiceField(
        label=_("given to"),
        queryset=Organisation.objects.filter(is_active=True).order_by("name"),
        help_text=_("For sharing: the organisation that may see the record."),
    )
    sections = forms.MultipleChoiceField(
        label=_("shared sections"),
        choices=ShareSection.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For sharing only. Identity is always shared; clinical content never is."),
    )
    given_on = forms.DateField(label=_("given on"), widget=date_input())
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()


class ConsentWithdrawForm(PonteFormMixin, forms.Form):
    """The date the person withdrew the consent."""

    withdrawn_on = forms.DateField(label=_("withdrawn on"), widget=date_input())
    confirm = forms.BooleanField(
        label=_("The person withdrew this consent: access resting on it ends at once."), required=True
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class MergeChooseForm(PonteFormMixin, forms.Form):
    """The other record of a merge: one of the likely duplicates, or by its fiscal code."""

    other = forms.TypedChoiceField(label=_("possible duplicate"), coerce=int, required=False, widget=forms.RadioSelect)
    fiscal_code = forms.CharField(label=_("or the other record's fiscal code"), max_length=32, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].choices = [(p.pk, f"{p} · {p.fiscal_code} · {p.birth_date:%d/%m/%Y}") for p in candidates]
        if not candidates:
            del self.fields["other"]

    def clean_fiscal_code(self):
        return normalise_fiscal_code(self.cleaned_data["fiscal_code"])

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("other") and not cleaned.get("fiscal_code") and not self.errors:
            raise forms.ValidationError(_("Choose a possible duplicate or type the other record's fiscal code."))
        return cleaned


class MergeConfirmForm(PonteFormMixin, forms.Form):
    """Which record to keep, and the confirmation."""

    keep = forms.TypedChoiceField(label=_("record to keep"), coerce=int, widget=forms.RadioSelect)
    confirm = forms.BooleanField(
        label=_("Both records are the same person: merge them. The other record stays, marked as merged."),
        required=True,
    )

    def __init__(self, *args, first, second, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["keep"].choices = [
            (first.pk, f"{first} ({first.fiscal_code})"),
            (second.pk, f"{second} ({second.fiscal_code})"),
        ]
        self.fields["keep"].initial = first.pk


def section_of(field_name: str) -> str:
    """The section of the record a person field belongs to (identity when unlisted)."""
    return FIELD_SECTION.get(field_name, "identity")
