"""Forms of the governance pages. They collect input; the services validate the rules and save."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Organisation, User
from core.forms import PonteFormMixin, date_input
from governance.choices import AgreementStatus, MeetingKind
from governance.models import MEMBER_ROLES
from programmes.models import Programme


def _organisations():
    return Organisation.objects.filter(is_active=True).order_by("name")


def _programmes():
    return Programme.objects.order_by("short_title")


class AgreementFilterForm(PonteFormMixin, forms.Form):
    """The agreements list's filters: status and programme (invalid choices are ignored)."""

    status = forms.ChoiceField(
        label=_("status"), required=False, choices=[("", _("All statuses")), *AgreementStatus.choices]
    )
    programme = forms.ModelChoiceField(
        label=_("programme"), required=False, queryset=_programmes(), empty_label=_("All programmes")
    )

    def chosen(self) -> dict:
        if self.is_valid():
            return {"status": self.cleaned_data["status"], "programme": self.cleaned_data["programme"]}
        return {"status": "", "programme": None}


class AgreementForm(PonteFormMixin, forms.Form):
    """A network agreement or protocol."""

    title = forms.CharField(label=_("title"), max_length=300)
    programme = forms.ModelChoiceField(
        label=_("programme"), required=False, queryset=_programmes(), empty_label=_("No programme")
    )
    parties = forms.ModelMultipleChoiceField(
        label=_("parties"), queryset=_organisations(), widget=forms.CheckboxSelectMultiple
    )
    status = forms.ChoiceField(label=_("status"), choices=AgreementStatus.choices)
    signed_on = forms.DateField(label=_("signed on"), required=False, widget=date_input())
    renewal_on = forms.DateField(
        label=_("renewal date"),
        required=False,
        widget=date_input(),
        help_text=_("When the agreement must be renewed; after the date of signature."),
    )
    next_priorities = forms.CharField(
        label=_("next priorities"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(label=_("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    @classmethod
    def initial_for(cls, agreement) -> dict:
        return {
            "title": agreement.title,
            "programme": agreement.programme_id,
            "parties": list(agreement.parties.values_list("pk", flat=True)),
            "status": agreement.status,
            "signed_on": agreement.signed_on,
            "renewal_on": agreement.renewal_on,
            "next_priorities": agreement.next_priorities,
            "notes": agreement.notes,
        }


class MeetingForm(PonteFormMixin, forms.Form):
    """A governance meeting with its agenda and minutes. No person data: write about the network, not about
    the persons discussed."""

    kind = forms.ChoiceField(label=_("kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("title"), max_length=300, required=False)
    held_on = forms.DateField(label=_("date"), widget=date_input())
    programme = forms.ModelChoiceField(
        label=_("programme"), required=False, queryset=_programmes(), empty_label=_("No programme")
    )
    organisation = forms.ModelChoiceField(label=_("organised by"), queryset=Organisation.objects.none())
    organisations = forms.ModelMultipleChoiceField(
        label=_("participating organisations"),
        required=False,
        queryset=_organisations(),
        widget=forms.CheckboxSelectMultiple,
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("participants"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("People of the organiser or of a participating organisation."),
    )
    agenda = forms.CharField(label=_("agenda"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    minutes = forms.CharField(
        label=_("minutes of the meeting"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("No names or health data of the persons discussed: they belong in their own record."),
    )
    cancelled = forms.BooleanField(label=_("cancelled"), required=False)

    def __init__(self, *args, organiser_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=organiser_ids).order_by("name")
        self.fields["participants"].queryset = (
            User.objects.filter(
                is_active=True,
                memberships__is_active=True,
                memberships__role__in=MEMBER_ROLES,
                memberships__unit__organisation__is_active=True,
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )

    @classmethod
    def initial_for(cls, meeting) -> dict:
        return {
            "kind": meeting.kind,
            "title": meeting.title,
            "held_on": meeting.held_on,
            "programme": meeting.programme_id,
            "organisation": meeting.organisation_id,
            "organisations": list(meeting.organisations.values_list("pk", flat=True)),
            "participants": list(meeting.participants.values_list("pk", flat=True)),
            "agenda": meeting.agenda,
            "minutes": meeting.minutes,
            "cancelled": meeting.cancelled,
        }


class DecisionForm(PonteFormMixin, forms.Form):
    """A decision taken at a meeting."""

    text = forms.CharField(label=_("decision"), widget=forms.Textarea(attrs={"rows": 2}))
    owner_organisation = forms.ModelChoiceField(
        label=_("owner organisation"), required=False, queryset=Organisation.objects.none()
    )
    owner_user = forms.ModelChoiceField(label=_("owner"), required=False, queryset=User.objects.none())
    due_on = forms.DateField(label=_("due date"), required=False, widget=date_input())

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = {meeting.organisation_id, *meeting.organisations.values_list("pk", flat=True)}
        self.fields["owner_organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name")
        self.fields["owner_user"].queryset = (
            User.objects.filter(
                is_active=True, memberships__is_active=True, memberships__unit__organisation_id__in=org_ids
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )


class DecisionDoneForm(PonteFormMixin, forms.Form):
    done_on = forms.DateField(label=_("done on"), required=False, widget=date_input())
