"""Imports from the old databases with preview and commit, and full exports."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel
from core.querysets import RestrictedQuerySet
from imports.choices import Entity, MappedField, RunStatus


class OrgOwnedQuerySet(RestrictedQuerySet):
    """Rows of the organisations where the user coordinates (who may import, docs/adr/0008)."""

    def _restrict(self, user, action):
        from imports.permissions import import_org_ids

        return self.filter(organisation_id__in=import_org_ids(user))


class ImportRun(TimeStampedModel):
    """One uploaded file: kept from its preview until it is imported, then its content is dropped."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    entity = models.CharField(_("layout"), max_length=20, choices=Entity.choices, default=Entity.PERSONS)
    filename = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = models.BinaryField(_("content"), blank=True)
    source_system = models.CharField(_("old system"), max_length=40, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=RunStatus.choices, default=RunStatus.PREVIEWING)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    rows = models.JSONField(_("rows"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL)
    committed_at = models.DateTimeField(_("imported at"), null=True, blank=True)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"


class SourceKeyQuerySet(OrgOwnedQuerySet):
    def keyed(self, org_id: int, entity: str, keys) -> dict[tuple[str, str], "SourceKey"]:
        """The organisation's source keys of a layout for `keys`, (old system, old id) pairs, by pair.

        Filtered on both columns, so that the lookup runs on the unique index whatever the number of keys.
        """
        keys = set(keys)
        if not keys:
            return {}
        found = self.filter(
            organisation_id=org_id,
            entity=entity,
            source_system__any={system for system, _id in keys},
            source_id__any={source_id for _system, source_id in keys},
        )
        return {(k.source_system, k.source_id): k for k in found if (k.source_system, k.source_id) in keys}


class SourceKey(TimeStampedModel):
    """Where an imported row came from (old system and old id), what it became, and a fingerprint of each field
    last imported.

    The fingerprints let a corrected file change only the fields it changed, and leave alone what users
    changed in Ponte since.
    """

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    entity = models.CharField(_("layout"), max_length=20, choices=Entity.choices)
    source_system = models.CharField(_("old system"), max_length=40)
    source_id = models.CharField(_("old id"), max_length=64)
    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The case or referral a row of those layouts became (persons use `person`).
    object_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    fingerprints = models.JSONField(_("field fingerprints"), default=dict, blank=True)
    last_run = models.ForeignKey(ImportRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    objects = SourceKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("source key")
        verbose_name_plural = _("source keys")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "entity", "source_system", "source_id"], name="sourcekey_unique"
            )
        ]
        indexes = [models.Index(fields=["entity", "person"], name="sourcekey_person")]

    def __str__(self) -> str:
        return f"{self.source_system}:{self.source_id}"


class CodeMapping(TimeStampedModel):
    """An old label of a coded value and the Ponte code it stands for, in one organisation's files."""

    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("column"), max_length=30, choices=MappedField.choices)
    source_value = models.CharField(_("value in the old files"), max_length=120)
    folded = models.CharField(max_length=120, editable=False)
    target = models.CharField(_("Ponte value"), max_length=30)

    objects = OrgOwnedQuerySet.as_manager()

    class Meta:
        ordering = ["field", "source_value"]
        verbose_name = _("value mapping")
        verbose_name_plural = _("value mappings")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "field", "folded"], name="codemapping_unique_value")
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.source_value} → {self.target}"


class ExportFileQuerySet(models.QuerySet):
    """An export file is fetched only by the user who asked for it."""

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class ExportFile(TimeStampedModel):
    """A large export built in the background, kept for its requester to download for a short time."""

    entity = models.CharField(_("layout"), max_length=20, choices=Entity.choices, default=Entity.PERSONS)
    fmt = models.CharField(_("format"), max_length=4)
    content = models.BinaryField(_("content"), blank=True)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL)

    objects = ExportFileQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("export file")
        verbose_name_plural = _("export files")

    def __str__(self) -> str:
        return f"{self.entity}.{self.fmt} #{self.pk}"
