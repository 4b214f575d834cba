"""Programmes, objectives, actions, milestones, budgets, and the indicators they are judged by.

Programmes are shipped as data files (programmes/data/*.yaml, one per seed document) and loaded by
`manage.py load_programmes`; every figure carries the passage of the seed it comes from (`source`).
Programme documents are public plans, not person data: every user who sees persons or aggregates reads them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.access import access_for
from core.i18n import current_language
from core.models import TimeStampedModel
from core.querysets import CHANGE, RestrictedQuerySet
from programmes.choices import Direction, MilestoneStatus, Unit


class ProgrammeQuerySet(RestrictedQuerySet):
    """Every user who sees persons or aggregate figures reads the programmes; nobody changes them in the app
    (they change through the data files), except manual indicator values (see ManualValue)."""

    def _restrict(self, user, action):
        access = access_for(user)
        if action == CHANGE:
            return self.none()
        if access.sees_persons or access.sees_aggregates:
            return self.all()
        return self.none()


class Programme(TimeStampedModel):
    """A programme of the network (a seed document): its period, owner, source file and content version."""

    code = models.SlugField(_("code"), max_length=63, unique=True)
    title = models.CharField(_("title"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    short_title = models.CharField(_("short title"), max_length=120)
    owner = models.CharField(_("promoter"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    period_note = models.CharField(_("period as the document states it"), max_length=300, blank=True)
    source_document = models.CharField(_("source document"), max_length=300)
    source_file = models.CharField(_("data file"), max_length=200)
    content_hash = models.CharField(_("content hash"), max_length=64)
    version = models.PositiveIntegerField(_("version"), default=1)
    loaded_at = models.DateTimeField(_("loaded at"), null=True, blank=True)

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.short_title

    @property
    def display_title(self) -> str:
        if current_language() == "en" and self.title_en:
            return self.title_en
        return self.title


class Objective(models.Model):
    """An objective of a programme; sub-objectives point to their main objective."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="objectives"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("main objective"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=500)
    description = models.TextField(_("description"), blank=True)
    expected_results = models.JSONField(_("expected results"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("objective")
        verbose_name_plural = _("objectives")
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="objective_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Action(models.Model):
    """An action of an objective, with who is responsible, the resources and the timeline."""

    objective = models.ForeignKey(
        Objective, verbose_name=_("objective"), on_delete=models.CASCADE, related_name="actions"
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.TextField(_("title"))
    responsible = models.CharField(_("responsible"), max_length=500, blank=True)
    responsible_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("responsible organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Matched by name when the organisation exists in Ponte."),
    )
    resources = models.TextField(_("resources"), blank=True)
    source = models.CharField(_("source"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["objective", "position"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"


class Milestone(models.Model):
    """A step of an action's timeline (cronoprogramma), with its due date and status."""

    action = models.ForeignKey(Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("title"), max_length=500)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    due_text = models.CharField(_("due, as the document states it"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=MilestoneStatus.choices, default=MilestoneStatus.PLANNED
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["action", "position"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")

    def __str__(self) -> str:
        return self.title


class BudgetLine(models.Model):
    """An amount of a programme's budget, per area (or objective) and year, with its source."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="budget"
    )
    area = models.CharField(_("area"), max_length=300)
    kind = models.CharField(_("type of expense"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    per_year = models.BooleanField(_("maximum per year"), default=False)
    amount = models.DecimalField(_("amount (€)"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")

    def __str__(self) -> str:
        return f"{self.area} {self.year or ''} {self.amount}"


class ProgrammeIndicator(models.Model):
    """An indicator a programme is judged by: the registered computation (or manual entry), target and due date."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="indicators"
    )
    objective = models.ForeignKey(
        Objective,
        verbose_name=_("objective"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="indicators",
    )
    code = models.CharField(_("code"), max_length=40)
    title = models.CharField(_("title"), max_length=500)
    indicator_key = models.CharField(
        _("computed by"),
        max_length=80,
        blank=True,
        help_text=_("The registered indicator; blank when entered by hand."),
    )
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.COUNT)
    direction = models.CharField(_("direction"), max_length=8, choices=Direction.choices, default=Direction.AT_LEAST)
    target = models.DecimalField(_("target"), max_digits=12, decimal_places=2, null=True, blank=True)
    target_note = models.CharField(_("target, as the document states it"), max_length=500, blank=True)
    due_on = models.DateField(_("due on"), null=True, blank=True)
    baseline = models.DecimalField(_("baseline"), max_digits=12, decimal_places=2, null=True, blank=True)
    baseline_note = models.CharField(_("baseline period"), max_length=300, blank=True)
    source = models.CharField(_("source"), max_length=300)
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["programme", "position"]
        verbose_name = _("programme indicator")
        verbose_name_plural = _("programme indicators")
        constraints = [
            models.UniqueConstraint(fields=["programme", "code", "due_on"], name="programmeindicator_unique_code_due")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:60]}"

    @property
    def is_manual(self) -> bool:
        return not self.indicator_key


class ManualValue(TimeStampedModel):
    """A value of a manual indicator (meetings held, protocols signed, trainings held) with its evidence."""

    indicator = models.ForeignKey(
        ProgrammeIndicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="manual_values"
    )
    on = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    evidence = models.TextField(
        _("evidence"), help_text=_("Minutes, protocol number, attendance sheet: where to check.")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["indicator", "-on", "-pk"]
        verbose_name = _("manual indicator value")
        verbose_name_plural = _("manual indicator values")

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.on}: {self.value}"


class ProgrammeReportQuerySet(models.QuerySet):
    """A report is fetched only by the user who asked for it (another user's report is a 404)."""

    def restrict(self, user, action: str = "view"):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        return self.filter(requested_by=user)


class ProgrammeReport(TimeStampedModel):
    """The annual report of a programme for a territory (or the whole network), built in the background as PDF
    and XLSX with the figures its requester may see; kept for its requester to download."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.CASCADE, related_name="reports"
    )
    territory = models.ForeignKey(
        "accounts.Territory",
        verbose_name=_("territory"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Blank for the whole network."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    job = models.ForeignKey("core.Job", verbose_name=_("job"), null=True, blank=True, on_delete=models.SET_NULL)
    pdf = models.BinaryField(_("PDF"), blank=True, default=b"")
    xlsx = models.BinaryField(_("XLSX"), blank=True, default=b"")
    language = models.CharField(_("language"), max_length=8, blank=True)
    suppressed = models.BooleanField(_("small counts suppressed"), default=False)
    computed_at = models.DateTimeField(_("figures computed at"), null=True, blank=True)

    objects = ProgrammeReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("programme report")
        verbose_name_plural = _("programme reports")

    def __str__(self) -> str:
        return f"{self.programme.code} {self.year} #{self.pk}"
