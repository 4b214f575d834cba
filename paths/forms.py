"""Forms of the paths pages: they shape input; the rules live in the services."""

import datetime

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from accounts.choices import NON_CARE_KINDS, PERSON_WRITE_ROLES
from accounts.models import Organisation, Unit
from cases.models import Case
from core.forms import PonteFormMixin, date_input
from paths.choices import (
    HIRING_KIND_CHOICES,
    ActivityKind,
    EventKind,
    FollowUpOutcome,
    GroupStatus,
    InterruptionReason,
    JobEndReason,
    PathStatus,
    Profession,
)
from paths.models import Path, TrainingGroup
from people.models import Person


def _operators_of(org_ids):
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__role__in=PERSON_WRITE_ROLES,
            memberships__unit__organisation_id__in=list(org_ids),
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class PathForm(PonteFormMixin, forms.ModelForm):
    """Plan a path (or change its details)."""

    class Meta:
        model = Path
        fields = [
            "kind",
            "case",
            "host",
            "title",
            "starts_on",
            "planned_end_on",
            "hours_per_week",
            "days_per_week",
            "host_tutor",
            "service_tutor",
            "beneficiary_category",
            "monthly_indemnity",
            "meal_vouchers",
        ]
        widgets = {"starts_on": date_input(), "planned_end_on": date_input()}

    def __init__(self, *args, user, person: Person, **kwargs):
        super().__init__(*args, **kwargs)
        writable = access_for(user).write_org_ids
        self.fields["case"].queryset = Case.objects.filter(
            person=person, organisation_id__in=writable, closed_on__isnull=True
        ).select_related("unit")
        self.fields["case"].required = False
        self.fields["host"].queryset = Organisation.objects.filter(is_active=True).exclude(kind__in=["ats"])
        self.fields["service_tutor"].queryset = _operators_of(writable)
        if "case" in self.fields and self.instance.pk:
            del self.fields["case"]


class TransitionForm(PonteFormMixin, forms.Form):
    to_status = forms.ChoiceField(
        label=_("New status"),
        choices=[(s.value, s.label) for s in PathStatus if s != PathStatus.CONVERTED],
    )
    on = forms.DateField(label=_("Date"), widget=date_input(), required=False)
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[("", "—")]
        + [
            (str(_("Interruption")), list(InterruptionReason.choices)),
            (str(_("End of a job")), list(JobEndReason.choices)),
        ],
        help_text=_("An interruption needs its reason; for a job, say why it ended."),
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    version = forms.IntegerField(widget=forms.HiddenInput)


class ConvertForm(PonteFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of hiring"), choices=HIRING_KIND_CHOICES)
    starts_on = forms.DateField(label=_("Hired from"), widget=date_input())
    planned_end_on = forms.DateField(label=_("Contract end (fixed-term)"), widget=date_input(), required=False)
    hours_per_week = forms.DecimalField(label=_("Hours per week"), required=False, max_digits=4, decimal_places=1)
    version = forms.IntegerField(widget=forms.HiddenInput)


class AttendanceForm(PonteFormMixin, forms.Form):
    month = forms.DateField(
        label=_("Month"),
        widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"),
        input_formats=["%Y-%m", "%Y-%m-%d"],
    )
    planned_hours = forms.DecimalField(label=_("Planned hours"), max_digits=5, decimal_places=1, min_value=0)
    attended_hours = forms.DecimalField(label=_("Hours attended"), max_digits=5, decimal_places=1, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class FollowUpForm(PonteFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=FollowUpOutcome.choices)
    done_on = forms.DateField(label=_("Done on"), widget=date_input(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EventForm(PonteFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=EventKind.choices)
    occurred_on = forms.DateField(label=_("Date (admission)"), widget=date_input())
    ended_on = forms.DateField(label=_("Discharge"), widget=date_input(), required=False)
    path = forms.ModelChoiceField(label=_("Path"), queryset=Path.objects.none(), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, kinds, paths, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.value, k.label) for k in kinds]
        self.fields["path"].queryset = paths


class ActivityForm(PonteFormMixin, forms.Form):
    """The quick entry of the activity log."""

    performed_on = forms.DateField(label=_("Date"), widget=date_input())
    minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=5, max_value=600)
    kind = forms.ChoiceField(label=_("Type"), choices=ActivityKind.choices)
    person = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("Not attributable to a single patient"),
    )
    profession = forms.ChoiceField(label=_("Your profession"), choices=Profession.choices)
    programme_code = forms.CharField(label=_("Programme code"), max_length=20, initial="TR106")
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
    accept_over_ceiling = forms.BooleanField(
        label=_("Record it anyway, above the 20% ceiling"), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = (
            Person.objects.restrict(user, "change")
            .filter(cases__case_manager=user, cases__closed_on__isnull=True)
            .distinct()
            .order_by("last_name", "first_name")
        )
        self.fields["performed_on"].initial = timezone.localdate()
        from paths.services import profession_of

        self.fields["profession"].initial = profession_of(user)

    def show_confirmation(self) -> None:
        """After the ceiling warning the checkbox appears, so that recording anyway is a knowing choice."""
        self.fields["accept_over_ceiling"].widget = forms.CheckboxInput()


class PeriodForm(forms.Form):
    start = forms.DateField(required=False, widget=date_input())
    end = forms.DateField(required=False, widget=date_input())
    programme_code = forms.CharField(required=False, max_length=20)

    def period(self) -> tuple[datetime.date, datetime.date, str]:
        """The chosen period, the current calendar year by default (the programme's period)."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        start = data.get("start") or datetime.date(today.year, 1, 1)
        end = data.get("end") or datetime.date(start.year, 12, 31)
        if end < start:
            start, end = end, start
        return start, end, (data.get("programme_code") or "TR106").strip().upper()


class GroupForm(PonteFormMixin, forms.ModelForm):
    class Meta:
        model = TrainingGroup
        fields = [
            "year",
            "title",
            "topic",
            "target",
            "partner_organisation",
            "conductor",
            "co_conductor",
            "place",
            "capacity",
        ]
        widgets = {"topic": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        access = access_for(user)
        self.fields["year"].initial = timezone.localdate().year
        self.fields["partner_organisation"].queryset = (
            Organisation.objects.filter(is_active=True, units__kind="polo_lavoro")
            .exclude(kind__in=NON_CARE_KINDS)
            .exclude(pk=access.primary_org_id)
            .distinct()
        )
        self.fields["conductor"].queryset = _operators_of({access.primary_org_id})
        self.fields["co_conductor"].queryset = _operators_of(
            self.fields["partner_organisation"].queryset.values_list("pk", flat=True)
        )


class GroupStatusForm(forms.Form):
    status = forms.ChoiceField(choices=GroupStatus.choices)


class SessionForm(PonteFormMixin, forms.Form):
    day = forms.DateField(label=_("Day"), widget=date_input())
    start = forms.TimeField(label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("To"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    subject = forms.CharField(label=_("Subject"), required=False, max_length=200)

    def datetimes(self):
        day = self.cleaned_data["day"]
        tz = timezone.get_current_timezone()
        return (
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["start"]), tz),
            timezone.make_aware(datetime.datetime.combine(day, self.cleaned_data["end"]), tz),
        )


class EnrolForm(PonteFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person"), queryset=Person.objects.none())
    referring_unit = forms.ModelChoiceField(label=_("Referring team"), queryset=Unit.objects.none())

    def __init__(self, *args, user, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referring_unit"].queryset = units
        self.fields["person"].queryset = (
            Person.objects.restrict(user, "change")
            .filter(cases__unit__in=units, cases__closed_on__isnull=True)
            .distinct()
            .order_by("last_name", "first_name")
        )


class EvaluationForm(PonteFormMixin, forms.Form):
    score_before = forms.IntegerField(label=_("Evaluation before (1–5)"), min_value=1, max_value=5, required=False)
    score_after = forms.IntegerField(label=_("Evaluation after (1–5)"), min_value=1, max_value=5, required=False)
    conductors_note = forms.CharField(
        label=_("Conductors' notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
