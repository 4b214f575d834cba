"""Forms of the plans pages. Each form of a draft carries the `version` it was read at (optimistic locking)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import NON_CARE_KINDS
from accounts.models import Organisation
from core.forms import PonteFormMixin, date_input
from plans.choices import GoalArea, Outcome


class VersionedForm(PonteFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class PlanForm(VersionedForm):
    """The draft's header and the person's agreement."""

    title = forms.CharField(label=_("Title"), max_length=200)
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=date_input())
    ends_on = forms.DateField(label=_("Ends on"), required=False, widget=date_input())
    person_agreed = forms.BooleanField(label=_("The person agrees with the plan"), required=False)
    agreed_on = forms.DateField(label=_("Agreed on"), required=False, widget=date_input())
    agreement_note = forms.CharField(
        label=_("The person's words, notes on the agreement"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class GoalForm(VersionedForm):
    area = forms.ChoiceField(label=_("Area"), choices=[("", "—"), *GoalArea.choices])
    title = forms.CharField(label=_("Goal"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    term = forms.ModelChoiceField(
        label=_("Focus area (shared vocabulary)"), queryset=None, required=False, empty_label="—"
    )

    def __init__(self, *args, **kwargs):
        from plans.models import Term

        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = Term.objects.all()


def responsible_organisations():
    """Organisations that can be responsible for an action: every active care organisation of the network."""
    return Organisation.objects.filter(is_active=True).exclude(kind__in=NON_CARE_KINDS).order_by("name")


class ActionForm(VersionedForm):
    description = forms.CharField(label=_("Action"), max_length=300)
    organisation = forms.ModelChoiceField(label=_("Responsible organisation"), queryset=None, empty_label="—")
    operator_name = forms.CharField(
        label=_("Responsible operator"),
        required=False,
        max_length=120,
        help_text=_("Name and role; many operators of the network have no Ponte account."),
    )
    starts_on = forms.DateField(label=_("Starts on"), required=False, widget=date_input())
    due_on = forms.DateField(label=_("Due on"), required=False, widget=date_input())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = responsible_organisations()


class ResourceForm(VersionedForm):
    description = forms.CharField(label=_("Resource"), max_length=300)
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=[("", "—")])
    cost = forms.DecimalField(label=_("Cost (€)"), min_value=0, max_digits=10, decimal_places=2)

    def __init__(self, *args, **kwargs):
        from plans.choices import FundingSource

        super().__init__(*args, **kwargs)
        self.fields["funding_source"].choices = [("", "—"), *FundingSource.choices]


class ReviewDateForm(VersionedForm):
    planned_on = forms.DateField(label=_("Review date"), widget=date_input())


class ConfirmForm(VersionedForm):
    """Removing an item, approving: only the version read."""


class ReviewRecordForm(PonteFormMixin, forms.Form):
    """The outcome of every goal at one review."""

    held_on = forms.DateField(label=_("Held on"), widget=date_input())
    note = forms.CharField(label=_("Notes of the review"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, goals, **kwargs):
        super().__init__(*args, **kwargs)
        self.goals = list(goals)
        for goal in self.goals:
            self.fields[f"goal_{goal.pk}"] = forms.ChoiceField(
                label=_("Outcome of «%(goal)s»") % {"goal": goal.title},
                choices=Outcome.choices,
                widget=forms.RadioSelect,
            )
            self.fields[f"note_{goal.pk}"] = forms.CharField(
                label=_("Note on «%(goal)s»") % {"goal": goal.title}, required=False, max_length=500
            )
            self.fields[f"note_{goal.pk}"].widget.attrs.setdefault("class", "form-control")

    def goal_rows(self):
        return [(goal, self[f"goal_{goal.pk}"], self[f"note_{goal.pk}"]) for goal in self.goals]

    def outcomes(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {goal.pk: (data.get(f"goal_{goal.pk}") or "", data.get(f"note_{goal.pk}") or "") for goal in self.goals}


class EvaluationStartForm(PonteFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date of the session"), widget=date_input())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    role = forms.CharField(label=_("Your role in the evaluation"), max_length=120)


class EvaluationForm(VersionedForm):
    held_on = forms.DateField(label=_("Date of the session"), widget=date_input())
    place = forms.CharField(label=_("Place"), required=False, max_length=200)
    assessments = forms.ModelMultipleChoiceField(
        label=_("Assessments used"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    conclusion = forms.CharField(
        label=_("Joint conclusion"), required=False, widget=forms.Textarea(attrs={"rows": 6}), max_length=10000
    )

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assessments"].queryset = assessments
        self.fields["assessments"].label_from_instance = lambda a: (
            f"{a.instrument_version.title} · {a.assessed_on:%d/%m/%Y}" + (f" · {a.band_label()}" if a.band else "")
        )
        for area, label in GoalArea.choices:
            self.fields[f"proposal_{area}"] = forms.CharField(
                label=_("Proposed goals: %(area)s") % {"area": label},
                required=False,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                help_text=_("One goal a line."),
                max_length=4000,
            )

    def proposals(self) -> dict[str, str]:
        return {area: self.cleaned_data.get(f"proposal_{area}") or "" for area in GoalArea.values}


class ParticipantForm(VersionedForm):
    membership = forms.ChoiceField(label=_("Professional"))
    role = forms.CharField(label=_("Role in the evaluation"), max_length=120)

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.pk): m for m in memberships}
        self.fields["membership"].choices = [("", "—")] + [
            (
                str(m.pk),
                f"{m.user.get_full_name() or m.user.username} · {m.unit.organisation.name} · {m.get_role_display()}",
            )
            for m in memberships
        ]
