"""Assessment instruments (versioned data loaded from YAML) and the assessments of a person."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from assessments.choices import AssessmentStatus
from assessments.definitions import label
from core.i18n import current_language
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet


class Instrument(TimeStampedModel):
    """An assessment instrument, identified by its code; its content lives in its versions."""

    code = models.SlugField(_("code"), max_length=63, unique=True)
    title_it = models.CharField(_("title (Italian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return self.title_en if current_language() == "en" else self.title_it


class InstrumentVersion(models.Model):
    """One version of an instrument: its normalised definition, never changed once loaded."""

    instrument = models.ForeignKey(
        Instrument, verbose_name=_("instrument"), on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    source_file = models.CharField(_("source file"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now_add=True)

    class Meta:
        ordering = ["instrument__code", "-number"]
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        constraints = [
            models.UniqueConstraint(fields=["instrument", "number"], name="instrumentversion_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument.code} v{self.number}"

    @property
    def title(self) -> str:
        return label(self.definition.get("title"), current_language())

    @property
    def fill_roles(self) -> list[str]:
        return list(self.definition.get("fill_roles", []))


class InstrumentItem(models.Model):
    """An item of an instrument version as loaded (sub-items of repeating groups included), with the shared
    vocabulary term it measures, if its file names one. Written by load_instruments, never changed afterwards."""

    version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("instrument version"), on_delete=models.CASCADE, related_name="items"
    )
    item_id = models.CharField(_("item"), max_length=63)
    position = models.PositiveIntegerField(_("position"))
    text_it = models.TextField(_("text (Italian)"))
    text_en = models.TextField(_("text (English)"))
    term = models.ForeignKey(
        "plans.Term",
        verbose_name=_("vocabulary term"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instrument_items",
    )

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("instrument item")
        verbose_name_plural = _("instrument items")
        constraints = [
            models.UniqueConstraint(fields=["version", "item_id"], name="instrumentitem_unique_id"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} {self.item_id}"

    @property
    def text(self) -> str:
        return self.text_en if current_language() == "en" else self.text_it


class AssessmentQuerySet(RestrictedQuerySet):
    """Assessments are reached by users who see the person and belong to the authoring organisation or to
    an organisation treating the person (it registered the record or holds a case). Changes are for the
    authoring organisation's writing roles only. Aggregate-only roles reach nothing.
    """

    def _restrict(self, user, action):
        from cases.models import Case
        from people.models import Person

        access = access_for(user)
        if action == CHANGE:
            orgs = access.write_org_ids
            if not orgs:
                return self.none()
            return self.filter(organisation_id__in=orgs, person__in=Person.objects.restrict(user, "view").values("pk"))
        orgs = access.person_org_ids
        if not orgs:
            return self.none()
        treats = Exists(Case.objects.filter(person=OuterRef("person"), organisation_id__in=orgs))
        return self.filter(
            Q(organisation_id__in=orgs) | Q(person__registered_by_id__in=orgs) | treats,
            person__in=Person.objects.restrict(user, "view").values("pk"),
        )


class Assessment(TimeStampedModel):
    """An assessment of a person with one instrument version: answers, computed scores and band."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="assessments"
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, verbose_name=_("instrument version"), on_delete=models.PROTECT, related_name="assessments"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(_("assessed on"))
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    scores = models.JSONField(_("scores"), default=dict, blank=True)
    total = models.DecimalField(_("total score"), max_digits=8, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("band"), max_length=63, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=AssessmentStatus.COMPLETED) & Q(completed_at__isnull=False))
                | (Q(status=AssessmentStatus.DRAFT) & Q(completed_at__isnull=True)),
                name="assessment_completed_has_time",
            ),
        ]
        indexes = [
            models.Index(fields=["person", "instrument_version"], name="assessment_person_version"),
            models.Index(fields=["organisation", "status"], name="assessment_org_status"),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_version} · {self.person_id} · {self.assessed_on}"

    @property
    def definition(self) -> dict:
        return self.instrument_version.definition

    @property
    def is_draft(self) -> bool:
        return self.status == AssessmentStatus.DRAFT

    def band_label(self) -> str:
        for band in self.definition["scoring"].get("bands", []):
            if band["code"] == self.band:
                return label(band["label"], current_language())
        return ""


class AssessmentRevision(models.Model):
    """The answers as saved at each version of an assessment: what a stale save is compared against."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.PROTECT, related_name="revisions"
    )
    version = models.PositiveIntegerField(_("version"))
    answers = models.JSONField(_("answers"), default=dict)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("saved by"), on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(_("saved at"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "version"]
        verbose_name = _("assessment revision")
        verbose_name_plural = _("assessment revisions")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "version"], name="assessmentrevision_unique_version"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} v{self.version}"
