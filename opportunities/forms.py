"""Forms of the employer pages. They validate input; the services decide and write."""

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PonteFormMixin, date_input
from opportunities import ateco
from opportunities.choices import EMPLOYER_KIND_CHOICES
from opportunities.models import EmployerContact, EmployerProfile
from opportunities.services import PROFILE_FIELDS

FIELDSETS = (
    ("sector", _("Sector and size"), ("social_coop_type", "ateco_division", "employees", "computable_employees")),
    ("quota", _("Law 68/1999 quota"), ("law68_covered",)),
    ("place", _("Location"), ("comune", "municipio", "address")),
    ("contacts", _("Contacts"), ("contact_name", "contact_role", "phone", "email", "website")),
    ("needs", _("Needs"), ("needs",)),
)


def _formfield(model_field, **kwargs):
    """Web addresses typed without a scheme are taken as https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class EmployerProfileForm(PonteFormMixin, forms.ModelForm):
    """The profile's fields; the type A/B only for a social cooperative."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = EmployerProfile
        fields = list(PROFILE_FIELDS)
        widgets = {"needs": forms.Textarea(attrs={"rows": 4})}
        formfield_callback = _formfield

    def __init__(self, *args, organisation_kind: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ateco_division"] = forms.ChoiceField(
            label=EmployerProfile._meta.get_field("ateco_division").verbose_name,
            choices=[("", "—"), *ateco.division_choices()],
            required=False,
            help_text=EmployerProfile._meta.get_field("ateco_division").help_text,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        self.fields["law68_covered"].required = False
        if organisation_kind is not None and organisation_kind != "social_coop":
            del self.fields["social_coop_type"]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_law68_covered(self):
        return self.cleaned_data.get("law68_covered") or 0

    def fieldsets(self):
        """(key, legend, bound fields) of the sections that have fields in this form."""
        return [
            (key, legend, [self[name] for name in names if name in self.fields])
            for key, legend, names in FIELDSETS
            if any(name in self.fields for name in names)
        ]

    def profile_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.fields}

    def _post_clean(self):
        # The services validate the model (with the organisation they set); the form checks its fields only.
        pass


class EmployerCreateForm(EmployerProfileForm):
    """A new employer: the organisation's name and kind, then its profile."""

    name = forms.CharField(label=_("name"), max_length=200)
    kind = forms.ChoiceField(label=_("kind"), choices=[("", "—"), *EMPLOYER_KIND_CHOICES])

    field_order = ["name", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["social_coop_type"].help_text = _("Only for social cooperatives.")

    def fieldsets(self):
        return [("organisation", _("Organisation"), [self["name"], self["kind"]]), *super().fieldsets()]


class ContactForm(PonteFormMixin, forms.ModelForm):
    """One contact with an employer, logged by the signed-in operator."""

    closes_pending = forms.BooleanField(
        label=_("This contact completes my open next steps with this employer"), required=False, initial=True
    )

    class Meta:
        model = EmployerContact
        fields = ["contacted_on", "channel", "discussed", "outcome", "next_step", "next_step_on"]
        widgets = {
            "contacted_on": date_input(),
            "next_step_on": date_input(),
            "discussed": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacted_on"].initial = timezone.localdate()

    def _post_clean(self):
        pass

    def contact_data(self) -> dict:
        return dict(self.cleaned_data)
