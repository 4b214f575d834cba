"""Forms of the employer pages. They validate input; the services decide and write."""

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PonteFormMixin, date_input
from opportunities import ateco, occupations, skills
from opportunities.choices import (
    EMPLOYER_KIND_CHOICES,
    CandidateDeclineReason,
    Disclosure,
    EmployerDeclineReason,
    Weekday,
)
from opportunities.models import EmployerContact, EmployerProfile, Opportunity
from opportunities.services import OPPORTUNITY_FIELDS, PROFILE_FIELDS
from people.choices import Municipio

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


# ---------------------------------------------------------------------------------------------- opportunities

OPPORTUNITY_FIELDSETS = (
    ("what", _("The opportunity"), ("kind", "title", "description", "occupation_code", "employer", "status")),
    (
        "when",
        _("Place and time"),
        (
            "comune",
            "municipio",
            "address",
            "hours_per_week",
            "days",
            "days_and_times",
            "contract_type",
            "starts_on",
            "ends_on",
            "seats",
        ),
    ),
    ("skills", _("Skills"), ("required_skills", "desired_skills", "skills_taught")),
    ("support", _("Support and accessibility"), ("support", "accessibility")),
)


def _skill_field(label, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        required=False,
        choices=skills.choices(),
        help_text=help_text,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )


class OpportunityForm(PonteFormMixin, forms.ModelForm):
    """An opportunity's fields; skills from the shared vocabulary, the occupation from ISCO-08."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Opportunity
        fields = list(OPPORTUNITY_FIELDS)
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "support": forms.Textarea(attrs={"rows": 3}),
            "accessibility": forms.Textarea(attrs={"rows": 3}),
            "starts_on": date_input(),
            "ends_on": date_input(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        model_field = Opportunity._meta.get_field
        self.fields["occupation_code"] = forms.ChoiceField(
            label=model_field("occupation_code").verbose_name,
            choices=[("", "—"), *occupations.sub_major_choices()],
            required=False,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        if self.instance.occupation_code and len(self.instance.occupation_code) != 2:
            code = self.instance.occupation_code
            self.fields["occupation_code"].choices = [
                (code, occupations.label(code)),
                *self.fields["occupation_code"].choices,
            ]
        self.fields["employer"].queryset = (
            EmployerProfile.objects.restrict(user, "view").select_related("organisation").order_by("organisation__name")
        )
        self.fields["days"] = forms.TypedMultipleChoiceField(
            label=model_field("days").verbose_name,
            choices=Weekday.choices,
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        self.fields["required_skills"] = _skill_field(model_field("required_skills").verbose_name)
        self.fields["desired_skills"] = _skill_field(model_field("desired_skills").verbose_name)
        self.fields["skills_taught"] = _skill_field(
            model_field("skills_taught").verbose_name, model_field("skills_taught").help_text
        )
        self.fields["seats"].required = False
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_seats(self):
        return self.cleaned_data.get("seats") or 1

    def fieldsets(self):
        return [(key, legend, [self[name] for name in names]) for key, legend, names in OPPORTUNITY_FIELDSETS]

    def opportunity_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in OPPORTUNITY_FIELDS}

    def _post_clean(self):
        pass


# ---------------------------------------------------------------------------------------------- work profiles

ISCO_WISHES = 5
ATECO_WISHES = 3


def _areas_text(areas) -> str:
    return ", ".join(a for a in areas if not (len(a) == 2 and a[0] == "M" and a[1].isdigit()))


class WorkProfileForm(PonteFormMixin, forms.Form):
    """Ranked wishes, skill levels, constraints and the disclosure choice of a candidate."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    skills_source = forms.CharField(widget=forms.HiddenInput, required=False)
    max_hours_per_week = forms.IntegerField(
        label=_("maximum hours per week"), min_value=1, max_value=60, required=False
    )
    days = forms.TypedMultipleChoiceField(
        label=_("available days"),
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    municipi = forms.MultipleChoiceField(
        label=_("Milan municipi they can reach"),
        choices=[(f"M{value}", label) for value, label in Municipio.choices],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    comuni = forms.CharField(
        label=_("other comuni they can reach"),
        required=False,
        max_length=300,
        help_text=_("Separated by commas. Leave municipi and comuni empty if they can go anywhere."),
    )
    max_travel_minutes = forms.IntegerField(
        label=_("maximum travel time (minutes)"), min_value=0, max_value=240, required=False
    )
    available_from = forms.DateField(label=_("can start from"), required=False, widget=date_input())
    disclosure = forms.ChoiceField(
        label=_("what employers may be told"), choices=Disclosure.choices, widget=forms.RadioSelect
    )
    disclosure_text = forms.CharField(
        label=_("what the candidate agreed to tell employers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only with the third choice. In the candidate's words: never a diagnosis or a treatment."),
    )
    notes = forms.CharField(label=_("notes for the team"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        isco = [("", "—"), *occupations.sub_major_choices()]
        divisions = [("", "—"), *ateco.division_choices()]
        for n in range(1, ISCO_WISHES + 1):
            self.fields[f"isco_{n}"] = forms.ChoiceField(
                label=_("occupation group, choice %(n)d") % {"n": n}, choices=isco, required=False
            )
        for n in range(1, ATECO_WISHES + 1):
            self.fields[f"ateco_{n}"] = forms.ChoiceField(
                label=_("sector, choice %(n)d") % {"n": n}, choices=divisions, required=False
            )
        levels = [("", _("not assessed")), *((str(n), str(n)) for n in range(1, 6))]
        for skill in skills.entries().values():
            self.fields[f"skill_{skill.code}"] = forms.TypedChoiceField(
                label=skill.label, choices=levels, coerce=int, empty_value=None, required=False
            )
        for field in self.fields.values():
            if isinstance(field.widget, forms.Select) and not isinstance(field.widget, forms.SelectMultiple):
                field.widget.attrs["class"] = "form-select"

    @classmethod
    def initial_from(cls, profile=None, *, skills_balance=None) -> dict:
        """Initial values: the profile's, or for a new one the latest skills balance's levels and interests."""
        initial = {"disclosure": Disclosure.NONE}
        if profile is not None:
            initial |= {
                "version": profile.version,
                "skills_source": profile.skills_source,
                "max_hours_per_week": profile.max_hours_per_week,
                "days": profile.days,
                "municipi": [a for a in profile.reachable_areas if a in {f"M{n}" for n in range(1, 10)}],
                "comuni": _areas_text(profile.reachable_areas),
                "max_travel_minutes": profile.max_travel_minutes,
                "available_from": profile.available_from,
                "disclosure": profile.disclosure,
                "disclosure_text": profile.disclosure_text,
                "notes": profile.notes,
            }
            isco, sectors, levels = profile.isco_wishes, profile.ateco_wishes, profile.skills
        else:
            answers = skills_balance.answers if skills_balance is not None else {}
            first = answers.get("interest_first") or ""
            isco = list(dict.fromkeys([c for c in [first, *(answers.get("interest_groups") or [])] if c]))
            sectors = []
            levels = skills.prefill_from_skills_balance(answers)
            if skills_balance is not None:
                initial["skills_source"] = (
                    f"{skills_balance.instrument_version.instrument.code} {skills_balance.assessed_on:%Y-%m-%d}"
                )
        for n, code in enumerate(isco[:ISCO_WISHES], 1):
            initial[f"isco_{n}"] = code
        for n, code in enumerate(sectors[:ATECO_WISHES], 1):
            initial[f"ateco_{n}"] = code
        for code, level in levels.items():
            initial[f"skill_{code}"] = str(level)
        return initial

    def wish_fields(self):
        return [self[f"isco_{n}"] for n in range(1, ISCO_WISHES + 1)], [
            self[f"ateco_{n}"] for n in range(1, ATECO_WISHES + 1)
        ]

    def skill_groups(self):
        groups: dict[str, list] = {}
        for skill in skills.entries().values():
            groups.setdefault(skill.group, []).append(self[f"skill_{skill.code}"])
        return [(str(skills.GROUP_LABELS.get(group, group)), fields) for group, fields in groups.items()]

    def profile_data(self) -> dict:
        data = self.cleaned_data
        wishes = [{"kind": "isco", "code": data[f"isco_{n}"]} for n in range(1, ISCO_WISHES + 1) if data[f"isco_{n}"]]
        wishes += [
            {"kind": "ateco", "code": data[f"ateco_{n}"]} for n in range(1, ATECO_WISHES + 1) if data[f"ateco_{n}"]
        ]
        levels = {code: data[f"skill_{code}"] for code in skills.entries() if data.get(f"skill_{code}") is not None}
        comuni = [c.strip() for c in (data["comuni"] or "").split(",") if c.strip()]
        return {
            "wishes": wishes,
            "skills": levels,
            "skills_source": data["skills_source"] or "",
            "max_hours_per_week": data["max_hours_per_week"],
            "days": data["days"],
            "reachable_areas": [*data["municipi"], *comuni],
            "max_travel_minutes": data["max_travel_minutes"],
            "available_from": data["available_from"],
            "disclosure": data["disclosure"],
            "disclosure_text": data["disclosure_text"],
            "notes": data["notes"],
        }


# ---------------------------------------------------------------------------------------------- proposals


class ProposalForm(PonteFormMixin, forms.Form):
    opportunity = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("note for the employer"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Read by the employer: no health data."),
    )


class DecisionForm(PonteFormMixin, forms.Form):
    """One side's yes or no, with the coded reason of a no and the date."""

    decision = forms.ChoiceField(
        label=_("decision"), choices=[("yes", _("Yes")), ("no", _("No"))], widget=forms.RadioSelect
    )
    reason = forms.ChoiceField(label=_("reason for a no"), required=False)
    decided_on = forms.DateField(label=_("date"), widget=date_input())

    def __init__(self, *args, side: str, **kwargs):
        super().__init__(*args, **kwargs)
        reasons = CandidateDeclineReason if side == "candidate" else EmployerDeclineReason
        self.fields["reason"].choices = [("", "—"), *reasons.choices]
        self.fields["decided_on"].initial = timezone.localdate()
        self.prefix = side
