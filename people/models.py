"""The shared person record: identity, household, social profile, diagnosis group, consents."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from people.choices import ConsentPurpose, DiagnosisGroup, Education, HouseholdRole, Municipio, Sex


def active_consents(*, on: datetime.date | None = None) -> Q:
    """Consents in force on `on` (today): given on or before it and not withdrawn by then."""
    on = on or timezone.localdate()
    return Q(given_on__lte=on) & (Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=on))


class PersonQuerySet(RestrictedQuerySet):
    """Persons reach an organisation through its own cases, its registration, or a sharing consent."""

    def live(self):
        """Records not merged into another."""
        return self.filter(merged_into__isnull=True)

    def _restrict(self, user, action):
        from cases.models import Case

        access = access_for(user)
        if action == CHANGE:
            orgs = access.write_org_ids
            if not orgs:
                return self.none()
            treats = Exists(
                Case.objects.filter(person=OuterRef("pk"), organisation_id__in=orgs, closed_on__isnull=True)
            )
            return self.live().filter(Q(registered_by_id__in=orgs) | treats)
        orgs = access.person_org_ids
        if not orgs:
            return self.none()
        has_case = Exists(Case.objects.filter(person=OuterRef("pk"), organisation_id__in=orgs))
        shared = Exists(
            Consent.objects.filter(
                active_consents(), person=OuterRef("pk"), purpose=ConsentPurpose.SHARING, organisation_id__in=orgs
            )
        )
        return self.live().filter(Q(registered_by_id__in=orgs) | has_case | shared)


class Household(TimeStampedModel):
    """A nucleo familiare: the people who live together, for social services' purposes."""

    name = models.CharField(_("name"), max_length=120, help_text=_("For example the surname of the household."))
    notes = models.TextField(_("notes"), blank=True)
    registered_by = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        return self.name


class Person(TimeStampedModel):
    """A person in the care of the network: one record, shared within their consent."""

    fiscal_code = models.CharField(_("fiscal code"), max_length=16)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"))
    birth_place = models.CharField(_("birth place"), max_length=120, help_text=_("Comune, or country if abroad."))
    birth_place_code = models.CharField(_("birth place code"), max_length=4, blank=True)
    citizenship = models.CharField(_("citizenship"), max_length=80, blank=True)

    residence_comune = models.CharField(_("comune of residence"), max_length=120, blank=True)
    residence_municipio = models.PositiveSmallIntegerField(
        _("Milan municipio"), choices=Municipio.choices, null=True, blank=True
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)

    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    household_role = models.CharField(_("role in household"), max_length=10, choices=HouseholdRole.choices, blank=True)

    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    work_history = models.TextField(_("work history"), blank=True)
    civil_invalidity_percent = models.PositiveSmallIntegerField(
        _("civil invalidity (%)"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    law68_registered = models.BooleanField(_("registered for targeted placement (Law 68/1999)"), default=False)
    law68_registered_on = models.DateField(_("Law 68 registration date"), null=True, blank=True)

    diagnosis_group = models.CharField(
        _("diagnosis group (ICD-10)"), max_length=8, choices=DiagnosisGroup.choices, blank=True
    )

    registered_by = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("registered by"), on_delete=models.PROTECT, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_code"], condition=Q(merged_into__isnull=True), name="person_unique_live_fiscal_code"
            ),
            models.CheckConstraint(
                condition=Q(civil_invalidity_percent__isnull=True) | Q(civil_invalidity_percent__lte=100),
                name="person_invalidity_percent_range",
            ),
        ]
        indexes = [
            models.Index(fields=["last_name", "first_name"], name="person_name"),
            models.Index(fields=["birth_date"], name="person_birth_date"),
            models.Index(fields=["registered_by", "last_name"], name="person_regorg_name"),
            # Indicators count live persons only (not merged into another record): the join reads this small
            # index instead of the wide person rows (docs/benchmarks.md, the programme dashboard).
            models.Index(fields=["id"], condition=models.Q(merged_into__isnull=True), name="person_live"),
        ]

    def __str__(self) -> str:
        return f"{self.last_name} {self.first_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ConsentQuerySet(RestrictedQuerySet):
    """Consents are seen by whoever sees the person."""

    def active(self, *, on: datetime.date | None = None):
        return self.filter(active_consents(on=on))

    def _restrict(self, user, action):
        return self.filter(person__in=Person.objects.restrict(user, action).values("pk"))


class Consent(TimeStampedModel):
    """A consent of the person for one purpose, given to one organisation, with its dates.

    For sharing it names the receiving organisation and the sections of the record it opens.
    """

    person = models.ForeignKey(Person, verbose_name=_("person"), on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("given to"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("For sharing: the organisation that may see the record."),
    )
    sections = models.JSONField(_("shared sections"), default=list, blank=True)
    given_on = models.DateField(_("given on"))
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("recorded by organisation"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = ConsentQuerySet.as_manager()

    class Meta:
        ordering = ["-given_on", "-pk"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gte=models.F("given_on")),
                name="consent_withdrawn_after_given",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "purpose", "organisation"], name="consent_lookup"),
            # "Which persons shared their record with this organisation?", asked by the access rule on every list,
            # answered from the index alone.
            models.Index(
                fields=["organisation", "purpose", "person", "given_on", "withdrawn_on"], name="consent_org_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} → {self.organisation}"

    def is_active(self, on: datetime.date | None = None) -> bool:
        on = on or timezone.localdate()
        return self.given_on <= on and (self.withdrawn_on is None or self.withdrawn_on > on)


class PersonMerge(models.Model):
    """The record of a merge: the merged record's full snapshot, so nothing is lost."""

    survivor = models.ForeignKey(Person, verbose_name=_("kept record"), on_delete=models.PROTECT, related_name="+")
    merged = models.ForeignKey(Person, verbose_name=_("merged record"), on_delete=models.PROTECT, related_name="+")
    snapshot = models.JSONField(_("snapshot of the merged record"))
    fields_taken = models.JSONField(_("fields copied into the kept record"), default=list)
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("merged by"), on_delete=models.PROTECT)
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("merge of records")
        verbose_name_plural = _("merges of records")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"
