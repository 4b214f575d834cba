"""Cases (prese in carico) and referrals (segnalazioni / invii) between units."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from cases.choices import Area, CaseStatus, ClosingReason, ReferralStatus
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet


class CaseQuerySet(RestrictedQuerySet):
    """A case is reached only by its own organisation."""

    def open(self):
        return self.filter(closed_on__isnull=True)

    def _restrict(self, user, action):
        access = access_for(user)
        orgs = access.write_org_ids if action == CHANGE else access.person_org_ids
        if not orgs:
            return self.none()
        return self.filter(organisation_id__in=orgs, person__merged_into__isnull=True)


class Case(TimeStampedModel):
    """A person taken in charge by one organisation's unit, in one area, with a case manager."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="cases"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="cases"
    )
    unit = models.ForeignKey("accounts.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="cases")
    area = models.CharField(_("area"), max_length=12, choices=Area.choices)
    case_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case manager"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="managed_cases",
    )
    status = models.CharField(_("status"), max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closing_reason = models.CharField(_("closing reason"), max_length=16, choices=ClosingReason.choices, blank=True)
    closing_note = models.CharField(_("closing note"), max_length=500, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-opened_on", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=False) & ~Q(closing_reason=""))
                | (~Q(status=CaseStatus.CLOSED) & Q(closed_on__isnull=True)),
                name="case_closed_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=models.F("opened_on")),
                name="case_closed_after_opened",
            ),
            models.UniqueConstraint(
                fields=["person", "unit", "area"],
                condition=Q(closed_on__isnull=True),
                name="case_one_open_per_unit_area",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "closed_on"], name="case_org_open"),
            # The access rule asks "which persons does this organisation hold a case for?" on every list: an
            # index-only scan answers it without reading the table.
            models.Index(fields=["organisation", "person", "closed_on"], name="case_org_person"),
            # Indicators ask for the cases of an area open during a period, over the whole network.
            models.Index(fields=["area", "opened_on"], name="case_area_opened"),
            # ... and for the persons with a case of given organisations open during a period (EECO01, per quarter
            # in the trends): answered from this index alone.
            models.Index(fields=["organisation", "opened_on", "closed_on", "person"], name="case_org_period"),
            models.Index(fields=["case_manager", "closed_on"], name="case_manager_open"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.unit} · {self.get_area_display()}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class ReferralQuerySet(RestrictedQuerySet):
    """A referral is reached by the sending and the receiving organisation."""

    def _restrict(self, user, action):
        access = access_for(user)
        orgs = access.write_org_ids if action == CHANGE else access.person_org_ids
        if not orgs:
            return self.none()
        return self.filter(Q(from_organisation_id__in=orgs) | Q(to_organisation_id__in=orgs)).filter(
            person__merged_into__isnull=True
        )


class Referral(TimeStampedModel):
    """A referral of a person from one unit to another, resting on the person's sharing consent."""

    person = models.ForeignKey(
        "people.Person", verbose_name=_("person"), on_delete=models.PROTECT, related_name="referrals"
    )
    from_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="referrals_sent"
    )
    to_unit = models.ForeignKey(
        "accounts.Unit", verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="referrals_received"
    )
    # Copied from the units so that restrict() filters on indexed columns.
    from_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("from organisation"), on_delete=models.PROTECT, related_name="+"
    )
    to_organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("to organisation"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.CharField(_("area"), max_length=12, choices=Area.choices)
    reason = models.TextField(_("reason for referral"))
    consent = models.ForeignKey(
        "people.Consent", verbose_name=_("consent relied on"), on_delete=models.PROTECT, related_name="referrals"
    )
    status = models.CharField(_("status"), max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.SENT)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    case = models.OneToOneField(
        Case, verbose_name=_("case opened"), null=True, blank=True, on_delete=models.PROTECT, related_name="referral"
    )

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.REJECTED) | ~Q(rejection_reason=""),
                name="referral_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.ACCEPTED) | Q(case__isnull=False),
                name="referral_accepted_has_case",
            ),
            models.CheckConstraint(condition=~Q(from_unit=models.F("to_unit")), name="referral_not_to_itself"),
        ]
        indexes = [
            models.Index(fields=["to_organisation", "status"], name="referral_inbox"),
            models.Index(fields=["from_organisation", "status"], name="referral_outbox"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.from_unit} → {self.to_unit}"

    @property
    def waiting_time(self):
        """From sending to the decision (or until now while it waits)."""
        from django.utils import timezone

        end = self.decided_at or self.withdrawn_at or timezone.now()
        return end - self.sent_at
