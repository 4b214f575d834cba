"""Employers and training bodies with their Law 68/1999 quota, and the network's contacts with them (scouting).

Employer data are not health data: every Polo Lavoro, CELAV and programme-team operator of every territory reaches
every employer (seed 000's equal access). Who may do what is in permissions.py and docs/employers.md.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from opportunities import ateco
from opportunities.choices import (
    ContactChannel,
    ContactOutcome,
    ContractType,
    OpportunityKind,
    OpportunityStatus,
    SocialCoopType,
)
from opportunities.quota import law68_quota, places_to_fill
from people.choices import Municipio

MAX_EMPLOYEES = 1_000_000


class EmployerProfileQuerySet(RestrictedQuerySet):
    """Scouting staff reach every employer; a company referent reaches only their own organisation's."""

    def _restrict(self, user, action):
        from opportunities.permissions import referent_org_ids, scouting_org_ids

        if scouting_org_ids(user):
            return self.all()
        own = referent_org_ids(user)
        return self.filter(organisation_id__in=own) if own else self.none()

    def with_open_quota(self):
        return self.filter(law68_open__gt=0)


class EmployerProfile(TimeStampedModel):
    """What the network knows of an employer or training body: sector, size, place, contacts, needs and quota."""

    organisation = models.OneToOneField(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="employer_profile",
    )
    social_coop_type = models.CharField(
        _("social cooperative type"), max_length=1, choices=SocialCoopType.choices, blank=True
    )
    ateco_division = models.CharField(
        _("sector (ATECO 2007 division)"), max_length=2, blank=True, help_text=_("The company's main activity.")
    )
    # Derived from the division on save, kept as a column so that lists filter by section with an index.
    ateco_section = models.CharField(_("sector (ATECO 2007 section)"), max_length=1, blank=True, editable=False)
    employees = models.PositiveIntegerField(
        _("employees"), validators=[MaxValueValidator(MAX_EMPLOYEES)], help_text=_("Headcount of employees.")
    )
    computable_employees = models.PositiveIntegerField(
        _("computable employees (Law 68)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_EMPLOYEES)],
        help_text=_(
            "The base of the quota under Law 68/1999 art. 4: employees without managers, short fixed-term "
            "contracts, agency workers and the disabled workers already hired under the law; part-time in "
            "proportion. Leave blank to use the headcount as an estimate."
        ),
    )
    law68_covered = models.PositiveIntegerField(
        _("quota places covered"),
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(MAX_EMPLOYEES)],
        help_text=_("Disabled workers employed who count towards the quota."),
    )
    law68_quota = models.PositiveIntegerField(_("Law 68 quota"), default=0, editable=False)
    law68_open = models.PositiveIntegerField(_("quota places to fill"), default=0, editable=False)

    comune = models.CharField(_("comune"), max_length=120, blank=True)
    municipio = models.PositiveSmallIntegerField(_("Milan municipio"), choices=Municipio.choices, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_role = models.CharField(_("contact person's role"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    needs = models.TextField(
        _("the company's needs"),
        blank=True,
        help_text=_("Roles and skills they look for, periods, working conditions they can offer."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = EmployerProfileQuerySet.as_manager()

    class Meta:
        ordering = ["organisation__name"]
        verbose_name = _("employer profile")
        verbose_name_plural = _("employer profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(computable_employees__isnull=True) | Q(computable_employees__lte=models.F("employees")),
                name="employer_computable_within_headcount",
            ),
        ]
        indexes = [
            models.Index(fields=["ateco_section"], name="employer_section"),
            models.Index(fields=["law68_open"], name="employer_open_quota"),
            models.Index(fields=["municipio"], name="employer_municipio"),
        ]

    def __str__(self) -> str:
        return str(self.organisation)

    @property
    def quota_base(self) -> int:
        """The base the quota is computed on: the computable employees when known, else the headcount."""
        return self.employees if self.computable_employees is None else self.computable_employees

    @property
    def quota_is_estimate(self) -> bool:
        return self.computable_employees is None

    @property
    def ateco(self):
        """The ATECO division entry, or None."""
        return ateco.entries().get(self.ateco_division)

    def refresh_derived(self) -> None:
        """Section from the division; quota and open places from the size (a one-row invariant)."""
        self.ateco_section = ateco.section_of(self.ateco_division)
        self.law68_quota = law68_quota(self.quota_base)
        self.law68_open = places_to_fill(self.law68_quota, self.law68_covered)

    def save(self, *args, **kwargs):
        self.refresh_derived()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "ateco_section", "law68_quota", "law68_open"}
        super().save(*args, **kwargs)


class EmployerContactQuerySet(RestrictedQuerySet):
    """Scouting staff read every contact; its operator and the coordinators of its organisation change it."""

    def _restrict(self, user, action):
        from opportunities.permissions import scouting_coordinator_org_ids, scouting_org_ids

        if not scouting_org_ids(user):
            return self.none()
        if action == CHANGE:
            return self.filter(Q(operator=user) | Q(organisation_id__in=scouting_coordinator_org_ids(user)))
        return self.all()

    def pending(self):
        """Contacts whose next step is still to do."""
        return self.filter(next_step_on__isnull=False, next_step_done_on__isnull=True)


class EmployerContact(TimeStampedModel):
    """One contact of an operator with an employer: what was discussed, how it went and what comes next."""

    employer = models.ForeignKey(
        EmployerProfile, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="contacts"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("operator's organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("operator"), on_delete=models.PROTECT, related_name="+"
    )
    contacted_on = models.DateField(_("date"))
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    discussed = models.TextField(
        _("what was discussed"),
        help_text=_("The relation with the company. Every scouting operator of the network reads it: no health data."),
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=ContactOutcome.choices)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_on = models.DateField(_("next step by"), null=True, blank=True)
    next_step_done_on = models.DateField(_("next step done on"), null=True, blank=True)

    objects = EmployerContactQuerySet.as_manager()

    class Meta:
        ordering = ["-contacted_on", "-pk"]
        verbose_name = _("contact with an employer")
        verbose_name_plural = _("contacts with employers")
        constraints = [
            models.CheckConstraint(
                condition=Q(next_step_on__isnull=True) | ~Q(next_step=""),
                name="employer_contact_dated_step_has_text",
            ),
            models.CheckConstraint(
                condition=Q(next_step_done_on__isnull=True) | Q(next_step_on__isnull=False),
                name="employer_contact_done_needs_step",
            ),
        ]
        indexes = [
            models.Index(fields=["employer", "-contacted_on"], name="employer_contact_recent"),
            models.Index(fields=["operator", "next_step_on"], name="employer_contact_due"),
            models.Index(fields=["organisation", "contacted_on"], name="employer_contact_org_date"),
        ]

    def __str__(self) -> str:
        return f"{self.employer} · {self.contacted_on:%d/%m/%Y}"


class OpportunityQuerySet(RestrictedQuerySet):
    """Every operator of every territory sees every open opportunity; the publisher sees its own in any status.

    A company referent sees only their own organisation's. Changing is for the publisher's scouting staff and
    company referents.
    """

    def _restrict(self, user, action):
        from accounts.access import access_for
        from opportunities.permissions import referent_org_ids, scouting_org_ids

        own = scouting_org_ids(user) | referent_org_ids(user)
        if action == CHANGE:
            return self.filter(organisation_id__in=own) if own else self.none()
        sees_open = bool(scouting_org_ids(user)) or access_for(user).sees_persons
        if not sees_open:
            return self.filter(organisation_id__in=own) if own else self.none()
        return self.filter(Q(status=OpportunityStatus.OPEN) | Q(organisation_id__in=own))


class Opportunity(TimeStampedModel):
    """A course, internship, job, Law 68 position or volunteering place offered to the network's candidates.

    The occupation group is an ISCO-08 code kept as plain text until the shared vocabulary (assessments) lands;
    required and desired skills will come from the shared skills vocabulary in the same way.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    employer = models.ForeignKey(
        EmployerProfile,
        verbose_name=_("employer or training body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="opportunities",
        help_text=_("Where the opportunity takes place, when it is not the publisher."),
    )
    kind = models.CharField(_("type"), max_length=16, choices=OpportunityKind.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    occupation_code = models.CharField(
        _("occupation group (ISCO-08)"), max_length=4, blank=True, help_text=_("ISCO-08 code, 1 to 4 digits.")
    )
    comune = models.CharField(_("comune"), max_length=120, blank=True)
    municipio = models.PositiveSmallIntegerField(_("Milan municipio"), choices=Municipio.choices, null=True, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    days_and_times = models.CharField(_("days and times"), max_length=200, blank=True)
    contract_type = models.CharField(_("contract type"), max_length=16, choices=ContractType.choices, blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    seats = models.PositiveSmallIntegerField(_("seats"), default=1, validators=[MinValueValidator(1)])
    support = models.TextField(_("support offered"), blank=True, help_text=_("Tutor, job coach, adapted induction…"))
    accessibility = models.TextField(_("accessibility"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OpportunityStatus.choices, default=OpportunityStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = OpportunityQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("opportunity")
        verbose_name_plural = _("opportunities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(starts_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="opportunity_ends_after_start",
            ),
            models.CheckConstraint(condition=Q(seats__gte=1), name="opportunity_has_seats"),
        ]
        indexes = [
            models.Index(fields=["status", "kind"], name="opportunity_status_kind"),
            models.Index(fields=["organisation", "status"], name="opportunity_org_status"),
        ]

    def __str__(self) -> str:
        return self.title
