"""Forms of the cases and referrals pages. They check input; cases.services decides and writes."""

from itertools import groupby

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from accounts.choices import NON_CARE_KINDS, PERSON_WRITE_ROLES
from accounts.models import Unit
from cases.choices import Area, ClosingReason
from cases.services import eligible_case_managers
from core.forms import PonteFormMixin, date_input


class UnitChoiceField(forms.ModelChoiceField):
    """A unit, labelled "organisation – unit"."""

    def label_from_instance(self, obj):
        return f"{obj.organisation} – {obj.name}"


class GroupedUnitIterator(ModelChoiceIterator):
    """Units grouped by organisation: one <optgroup> per organisation."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        queryset = self.queryset.select_related("organisation").order_by("organisation__name", "name", "pk")
        for organisation, units in groupby(queryset, key=lambda unit: unit.organisation):
            yield (str(organisation), [self.choice(unit) for unit in units])


class GroupedUnitChoiceField(forms.ModelChoiceField):
    """A unit chosen among several organisations, grouped by organisation, labelled by its own name."""

    iterator = GroupedUnitIterator

    def label_from_instance(self, obj):
        return obj.name


def case_managers_of(org_ids):
    """Who may manage a case in any of `org_ids` (the service checks the organisation of the chosen unit)."""
    condition = Q()
    for org_id in org_ids:
        condition |= Q(pk__in=eligible_case_managers(org_id).values("pk"))
    if not condition:
        return get_user_model().objects.none()
    return get_user_model().objects.filter(condition).order_by("last_name", "first_name", "username")


def own_units(user):
    """The active units where `user` writes person records: where referrals leave from and cases open."""
    return Unit.objects.filter(
        pk__in=access_for(user).unit_ids(PERSON_WRITE_ROLES), is_active=True, organisation__is_active=True
    ).select_related("organisation")


class ReferralForm(PonteFormMixin, forms.Form):
    """Refer a person from one of my units to a unit of another organisation."""

    from_unit = UnitChoiceField(label=_("From unit"), queryset=Unit.objects.none())
    to_unit = GroupedUnitChoiceField(
        label=_("To unit"),
        queryset=Unit.objects.none(),
        help_text=_("Units of the other organisations of the network, grouped by organisation."),
    )
    area = forms.ChoiceField(label=_("Area"), choices=[("", "---------"), *Area.choices])
    reason = forms.CharField(
        label=_("Reason for referral"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the receiving team needs to know to take the person in charge. No clinical detail."),
        error_messages={"required": _("Say why the person is referred.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = own_units(user)
        self.fields["from_unit"].queryset = mine
        if len(mine) == 1:
            self.fields["from_unit"].initial = mine[0].pk
        my_orgs = access_for(user).write_org_ids
        self.fields["to_unit"].queryset = (
            Unit.objects.filter(is_active=True, organisation__is_active=True)
            .exclude(organisation_id__in=my_orgs)
            .exclude(organisation__kind__in=NON_CARE_KINDS)
        )


class ReferralAcceptForm(PonteFormMixin, forms.Form):
    """Accept a referral: who manages the case that opens, and from when."""

    case_manager = forms.ModelChoiceField(label=_("Case manager"), queryset=get_user_model().objects.none())
    opened_on = forms.DateField(
        label=_("Case opened on"),
        required=False,
        widget=date_input(),
        help_text=_("Today when left empty."),
    )

    def __init__(self, *args, referral, user, **kwargs):
        super().__init__(*args, **kwargs)
        managers = eligible_case_managers(referral.to_organisation_id)
        self.fields["case_manager"].queryset = managers
        if not self.is_bound:
            self.initial.setdefault("opened_on", timezone.localdate())
            if managers.filter(pk=user.pk).exists():
                self.initial.setdefault("case_manager", user.pk)


class ReferralRejectForm(PonteFormMixin, forms.Form):
    """Reject a referral with the reason the sender will read."""

    reason = forms.CharField(
        label=_("Reason for rejection"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The sending team reads it."),
        error_messages={"required": _("Say why the referral is rejected.")},
    )


class CaseOpenForm(PonteFormMixin, forms.Form):
    """Take a person in charge in one of my units."""

    unit = UnitChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    area = forms.ChoiceField(label=_("Area"), choices=[("", "---------"), *Area.choices])
    case_manager = forms.ModelChoiceField(
        label=_("Case manager"), queryset=get_user_model().objects.none(), required=False
    )
    opened_on = forms.DateField(
        label=_("Opened on"), required=False, widget=date_input(), help_text=_("Today when left empty.")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        mine = own_units(user)
        self.fields["unit"].queryset = mine
        if len(mine) == 1:
            self.fields["unit"].initial = mine[0].pk
        managers = case_managers_of(access_for(user).write_org_ids)
        self.fields["case_manager"].queryset = managers
        if not self.is_bound:
            self.initial.setdefault("opened_on", timezone.localdate())
            if managers.filter(pk=user.pk).exists():
                self.initial.setdefault("case_manager", user.pk)


class CaseCloseForm(PonteFormMixin, forms.Form):
    """Close a case with its date and reason; `version` detects someone else's change meanwhile."""

    closed_on = forms.DateField(label=_("Closed on"), widget=date_input())
    closing_reason = forms.ChoiceField(label=_("Closing reason"), choices=[("", "---------"), *ClosingReason.choices])
    closing_note = forms.CharField(
        label=_("Closing note"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("auto_id", "close_%s")  # unique ids beside the assign form on the case page
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("closed_on", timezone.localdate())
            self.initial.setdefault("version", case.version)


class CaseAssignForm(PonteFormMixin, forms.Form):
    """Give the case to another case manager of its organisation."""

    case_manager = forms.ModelChoiceField(label=_("New case manager"), queryset=get_user_model().objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, case, **kwargs):
        kwargs.setdefault("auto_id", "assign_%s")  # unique ids beside the close form on the case page
        super().__init__(*args, **kwargs)
        self.fields["case_manager"].queryset = eligible_case_managers(case.organisation_id)
        if not self.is_bound:
            self.initial.setdefault("case_manager", case.case_manager_id)
            self.initial.setdefault("version", case.version)
