"""Employers and training bodies with their Law 68/1999 quota, and the network's contacts with them (scouting).

Employer data are not health data: every Polo Lavoro, CELAV and programme-team operator of every territory reaches
every employer (seed 000's equal access). Who may do what is in permissions.py and docs/employers.md.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from opportunities import ateco
from opportunities.choices import (
    CandidateDeclineReason,
    ContactChannel,
    ContactOutcome,
    ContractType,
    Decision,
    Disclosure,
    EmployerDeclineReason,
    OpportunityKind,
    OpportunityStatus,
    ProposalStatus,
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

    The occupation group is an ISCO-08 code (the assessments' shared option lists); required, desired and (for a
    course) taught skills are codes of the shared skills vocabulary (opportunities/skills.py).
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
    days = models.JSONField(
        _("working days"), default=list, blank=True, help_text=_("ISO weekdays, 1 Monday to 7 Sunday.")
    )
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    desired_skills = models.JSONField(_("desired skills"), default=list, blank=True)
    skills_taught = models.JSONField(
        _("skills taught"), default=list, blank=True, help_text=_("For a course: the skills it teaches.")
    )
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

    @property
    def employer_name(self) -> str:
        return self.employer.organisation.name if self.employer_id else self.organisation.name

    @property
    def requires_law68(self) -> bool:
        return self.kind == OpportunityKind.LAW68


def _treating_person_ids(orgs):
    """Persons that one of `orgs` treats: registered the record or holds a case for them (open or closed)."""
    from cases.models import Case
    from people.models import Person

    has_case = Exists(Case.objects.filter(person=OuterRef("pk"), organisation_id__in=orgs))
    return Person.objects.filter(Q(registered_by_id__in=orgs) | has_case).values("pk")


class WorkProfileQuerySet(RestrictedQuerySet):
    """Visible like the person's record to the treating team; changed by those who may change the record."""

    def _restrict(self, user, action):
        from accounts.access import access_for
        from people.models import Person

        if action == CHANGE:
            return self.filter(person__in=Person.objects.restrict(user, CHANGE).values("pk"))
        orgs = access_for(user).person_org_ids
        if not orgs:
            return self.none()
        return self.filter(person__in=Person.objects.restrict(user, "view").values("pk")).filter(
            person__in=_treating_person_ids(orgs)
        )


class WorkProfile(TimeStampedModel):
    """A candidate's wishes, skills, constraints and disclosure choice: the inputs of matching (person-level data).

    Wishes are ranked: `wishes` is a list of {"kind": "isco"|"ateco", "code": ...}, the first is the most wanted.
    Skills are {skill code: level 1–5}. Health data are never here and never inputs of matching.
    """

    person = models.OneToOneField(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="work_profile"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    wishes = models.JSONField(_("wishes, ranked"), default=list, blank=True)
    skills = models.JSONField(_("skills and levels"), default=dict, blank=True)
    skills_source = models.CharField(
        _("skill levels prefilled from"), max_length=80, blank=True, help_text=_("The skills balance used, if any.")
    )
    max_hours_per_week = models.PositiveSmallIntegerField(
        _("maximum hours per week"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    days = models.JSONField(_("available days"), default=list, blank=True)
    reachable_areas = models.JSONField(
        _("areas they can reach"),
        default=list,
        blank=True,
        help_text=_("Milan municipi (M1–M9) and other comuni; none means anywhere."),
    )
    max_travel_minutes = models.PositiveSmallIntegerField(
        _("maximum travel time (minutes)"), null=True, blank=True, validators=[MaxValueValidator(240)]
    )
    available_from = models.DateField(_("can start from"), null=True, blank=True)
    disclosure = models.CharField(
        _("what employers may be told"), max_length=12, choices=Disclosure.choices, default=Disclosure.NONE
    )
    disclosure_text = models.TextField(
        _("what the candidate agreed to tell employers"),
        blank=True,
        help_text=_("In the candidate's words: support or adjustments that help. Never a diagnosis or a treatment."),
    )
    notes = models.TextField(_("notes for the team"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("changed by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = WorkProfileQuerySet.as_manager()

    class Meta:
        verbose_name = _("work profile")
        verbose_name_plural = _("work profiles")
        constraints = [
            models.CheckConstraint(
                condition=Q(disclosure="details") | Q(disclosure_text=""), name="work_profile_text_needs_details"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    @property
    def isco_wishes(self) -> list[str]:
        return [w["code"] for w in self.wishes if w.get("kind") == "isco"]

    @property
    def ateco_wishes(self) -> list[str]:
        return [w["code"] for w in self.wishes if w.get("kind") == "ateco"]


class ProposalQuerySet(RestrictedQuerySet):
    """The person's treating team sees their proposals; a company referent sees the proposals on their
    organisation's opportunities while the candidate's consent to be contacted by companies is in force.
    Changing (withdrawing, the candidate's decision) is for those who may change the person's record; the
    employer's decision is checked in permissions.py.
    """

    def _restrict(self, user, action):
        from accounts.access import access_for
        from opportunities.permissions import referent_org_ids
        from people.choices import ConsentPurpose
        from people.models import Consent, Person, active_consents

        access = access_for(user)
        own = referent_org_ids(user)
        q = Q(pk__in=[])
        if action == CHANGE:
            if access.write_org_ids:
                q |= Q(person__in=Person.objects.restrict(user, CHANGE).values("pk"))
        elif access.person_org_ids:
            q |= Q(person__in=Person.objects.restrict(user, "view").values("pk")) & Q(
                person__in=_treating_person_ids(access.person_org_ids)
            )
        if own:
            consented = Exists(
                Consent.objects.filter(
                    active_consents(), person=OuterRef("person"), purpose=ConsentPurpose.COMPANY_CONTACT
                )
            )
            company = (Q(opportunity__organisation_id__in=own) | Q(opportunity__employer__organisation_id__in=own)) & Q(
                consented
            )
            q |= company
        return self.filter(q)


class Proposal(TimeStampedModel):
    """An operator proposes an opportunity to a candidate; the candidate and the employer each decide.

    Accepted (both said yes) means ready to start a path. A declined decision carries a coded reason.
    """

    opportunity = models.ForeignKey(
        Opportunity, verbose_name=_("opportunity"), on_delete=models.PROTECT, related_name="proposals"
    )
    person = models.ForeignKey(
        "people.Person", verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="proposals"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("proposed by (organisation)"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_on = models.DateField(_("proposed on"))
    note = models.TextField(
        _("note for the employer"), blank=True, help_text=_("Read by the employer: no health data.")
    )
    candidate_decision = models.CharField(
        _("candidate's decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    candidate_decided_on = models.DateField(_("candidate decided on"), null=True, blank=True)
    candidate_reason = models.CharField(
        _("candidate's reason"), max_length=20, choices=CandidateDeclineReason.choices, blank=True
    )
    employer_decision = models.CharField(
        _("employer's decision"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    employer_decided_on = models.DateField(_("employer decided on"), null=True, blank=True)
    employer_reason = models.CharField(
        _("employer's reason"), max_length=20, choices=EmployerDeclineReason.choices, blank=True
    )
    employer_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employer's decision recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING, editable=False
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_on", "-pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(
                fields=["opportunity", "person"],
                condition=Q(withdrawn_on__isnull=True),
                name="proposal_one_live_per_candidate",
            ),
            models.CheckConstraint(
                condition=Q(candidate_decision="no") | Q(candidate_reason=""), name="proposal_candidate_reason_on_no"
            ),
            models.CheckConstraint(
                condition=Q(employer_decision="no") | Q(employer_reason=""), name="proposal_employer_reason_on_no"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "organisation"], name="proposal_status_org"),
            models.Index(fields=["opportunity", "status"], name="proposal_opportunity_status"),
        ]

    def __str__(self) -> str:
        return f"{self.opportunity} → {self.person}"

    def refresh_status(self) -> None:
        """The status from the decisions and the withdrawal (a one-row invariant)."""
        if self.withdrawn_on is not None:
            self.status = ProposalStatus.WITHDRAWN
        elif self.candidate_decision == Decision.NO:
            self.status = ProposalStatus.DECLINED_CANDIDATE
        elif self.employer_decision == Decision.NO:
            self.status = ProposalStatus.DECLINED_EMPLOYER
        elif self.candidate_decision == Decision.YES and self.employer_decision == Decision.YES:
            self.status = ProposalStatus.ACCEPTED
        else:
            self.status = ProposalStatus.PENDING

    @property
    def ready_for_path(self) -> bool:
        """Both said yes: the paths app may start a path from it."""
        return self.status == ProposalStatus.ACCEPTED

    def save(self, *args, **kwargs):
        self.refresh_status()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "status"}
        super().save(*args, **kwargs)
