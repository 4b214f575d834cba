"""Loading the programme files (programmes/data/*.yaml) into the database.

Idempotent: a file whose content hash matches the loaded version changes nothing. A changed file replaces the
programme's objectives, actions, milestones and budget and updates its indicators in place (matched by code and
due date), so that manual values entered against an indicator keep their indicator. Every file is validated first;
on any error nothing is loaded. Loading is not a user action, so it writes no audit event (like seed_demo).
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.db import transaction
from django.utils import timezone

from accounts.models import Organisation
from programmes.choices import Direction, MilestoneStatus, Unit
from programmes.models import Action, BudgetLine, Milestone, Objective, Programme, ProgrammeIndicator

DATA_DIR = Path(__file__).resolve().parent / "data"


class ProgrammeFileError(Exception):
    """A programme file that cannot be loaded; `errors` lists every problem found."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _plain(value):
    """YAML values as JSON-stable data (dates as ISO strings) for hashing."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def content_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(_plain(data), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _date(value, where: str, errors: list[str]):
    if value in (None, ""):
        return None
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors.append(f"{where}: {value!r} is not a date (YYYY-MM-DD)")
        return None


def _decimal(value, where: str, errors: list[str]):
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        errors.append(f"{where}: {value!r} is not a number")
        return None


def validate(data: dict, name: str) -> list[str]:
    """Every problem of one parsed file: required keys, codes, dates, numbers, budget total, indicator keys."""
    from programmes.indicators import REGISTRY

    errors: list[str] = []
    for key in ("code", "title", "short_title", "owner", "source_document", "objectives"):
        if not data.get(key):
            errors.append(f"{name}: missing {key!r}")
    _date(data.get("starts_on"), f"{name}: starts_on", errors)
    _date(data.get("ends_on"), f"{name}: ends_on", errors)
    codes: set[str] = set()

    def walk(objectives, path):
        for obj in objectives or []:
            where = f"{name}: objective {obj.get('code')!r}"
            if not obj.get("code") or not obj.get("title"):
                errors.append(f"{path}: an objective needs code and title")
            if obj.get("code") in codes:
                errors.append(f"{where}: duplicate code")
            codes.add(obj.get("code"))
            for action in obj.get("actions") or []:
                if not action.get("code") or not action.get("title"):
                    errors.append(f"{where}: an action needs code and title")
                for ms in action.get("milestones") or []:
                    if not ms.get("title"):
                        errors.append(f"{where}: a milestone needs a title")
                    _date(ms.get("due_on"), f"{where}: milestone due_on", errors)
                    if ms.get("status", MilestoneStatus.PLANNED) not in MilestoneStatus.values:
                        errors.append(f"{where}: unknown milestone status {ms.get('status')!r}")
            walk(obj.get("children"), where)

    walk(data.get("objectives"), name)
    budget = data.get("budget") or {}
    total = Decimal(0)
    for line in budget.get("lines") or []:
        where = f"{name}: budget line {line.get('area')!r}"
        if not line.get("area") or not line.get("source"):
            errors.append(f"{where}: needs area and source")
        amount = _decimal(line.get("amount"), where, errors)
        if amount is None:
            errors.append(f"{where}: needs an amount")
        else:
            total += amount
    declared = _decimal(budget.get("declared_total"), f"{name}: declared_total", errors)
    if declared is not None and declared != total:
        errors.append(f"{name}: budget lines add up to {total}, the document declares {declared}")
    seen = set()
    for ind in data.get("indicators") or []:
        where = f"{name}: indicator {ind.get('code')!r}"
        if not ind.get("code") or not ind.get("title") or not ind.get("source"):
            errors.append(f"{where}: needs code, title and source")
        key = (ind.get("code"), str(ind.get("due_on")))
        if key in seen:
            errors.append(f"{where}: duplicate code and due date")
        seen.add(key)
        if ind.get("indicator") and ind["indicator"] not in REGISTRY:
            errors.append(f"{where}: no registered indicator {ind['indicator']!r}")
        if ind.get("unit", Unit.COUNT) not in Unit.values:
            errors.append(f"{where}: unknown unit {ind.get('unit')!r}")
        if ind.get("direction", Direction.AT_LEAST) not in Direction.values:
            errors.append(f"{where}: unknown direction {ind.get('direction')!r}")
        if ind.get("objective") and ind["objective"] not in codes:
            errors.append(f"{where}: no objective {ind['objective']!r}")
        _decimal(ind.get("target"), f"{where}: target", errors)
        _decimal(ind.get("baseline"), f"{where}: baseline", errors)
        _date(ind.get("due_on"), f"{where}: due_on", errors)
    return errors


def parse_dir(directory: Path) -> list[tuple[Path, dict]]:
    """Every file parsed and validated, or ProgrammeFileError with all the problems."""
    parsed, errors, codes = [], [], {}
    for path in sorted(Path(directory).glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: not valid YAML ({exc})")
            continue
        if not isinstance(data, dict):
            errors.append(f"{path.name}: not a mapping")
            continue
        errors.extend(validate(data, path.name))
        if data.get("code") in codes:
            errors.append(f"{path.name}: code {data['code']!r} is also used by {codes[data['code']]}")
        codes[data.get("code")] = path.name
        parsed.append((path, data))
    if errors:
        raise ProgrammeFileError(errors)
    return parsed


def load_programmes(directory: Path | None = None) -> LoadReport:
    """Validate every file, then create or update the programmes whose content changed."""
    parsed = parse_dir(Path(directory or DATA_DIR))
    orgs = {name.casefold(): pk for pk, name in Organisation.objects.values_list("pk", "name")}
    report = LoadReport()
    with transaction.atomic():
        for path, data in parsed:
            digest = content_hash(data)
            programme = Programme.objects.select_for_update().filter(code=data["code"]).first()
            if programme is not None and programme.content_hash == digest:
                report.unchanged.append(programme.code)
                continue
            created = programme is None
            programme = programme or Programme(code=data["code"], version=0)
            errors: list[str] = []
            programme.title = data["title"].strip()
            programme.title_en = (data.get("title_en") or "").strip()
            programme.short_title = data["short_title"]
            programme.owner = data["owner"]
            programme.summary = (data.get("summary") or "").strip()
            programme.starts_on = _date(data.get("starts_on"), "", errors)
            programme.ends_on = _date(data.get("ends_on"), "", errors)
            programme.period_note = data.get("period_note") or ""
            programme.source_document = data["source_document"]
            programme.source_file = path.name
            programme.content_hash = digest
            programme.version += 1
            programme.loaded_at = timezone.now()
            programme.save()
            _replace_content(programme, data, orgs)
            (report.created if created else report.updated).append(programme.code)
    return report


def _replace_content(programme: Programme, data: dict, orgs: dict[str, int]) -> None:
    errors: list[str] = []
    programme.objectives.all().delete()
    programme.budget.all().delete()
    by_code: dict[str, Objective] = {}
    position = 0

    def add(objectives, parent):
        nonlocal position
        for obj in objectives or []:
            position += 1
            objective = Objective.objects.create(
                programme=programme,
                parent=parent,
                code=str(obj["code"]),
                title=obj["title"],
                description=obj.get("description") or "",
                expected_results=list(obj.get("expected_results") or []),
                source=obj.get("source") or "",
                position=position,
            )
            by_code[objective.code] = objective
            for a_pos, act in enumerate(obj.get("actions") or [], start=1):
                action = Action.objects.create(
                    objective=objective,
                    code=str(act["code"]),
                    title=act["title"],
                    responsible=act.get("responsible") or "",
                    responsible_organisation_id=orgs.get((act.get("responsible_organisation") or "").casefold()),
                    resources=act.get("resources") or "",
                    source=act.get("source") or obj.get("source") or "",
                    position=a_pos,
                )
                Milestone.objects.bulk_create(
                    Milestone(
                        action=action,
                        title=ms["title"],
                        due_on=_date(ms.get("due_on"), "", errors),
                        due_text=ms.get("due_text") or "",
                        status=ms.get("status") or MilestoneStatus.PLANNED,
                        position=m_pos,
                    )
                    for m_pos, ms in enumerate(action_milestones(act), start=1)
                )
            add(obj.get("children"), objective)

    add(data.get("objectives"), None)
    BudgetLine.objects.bulk_create(
        BudgetLine(
            programme=programme,
            area=line["area"],
            kind=line.get("kind") or "",
            year=line.get("year"),
            per_year=bool(line.get("per_year")),
            amount=Decimal(str(line["amount"])),
            source=line["source"],
            position=pos,
        )
        for pos, line in enumerate((data.get("budget") or {}).get("lines") or [], start=1)
    )
    kept = []
    for pos, ind in enumerate(data.get("indicators") or [], start=1):
        due_on = _date(ind.get("due_on"), "", errors)
        indicator, _created = ProgrammeIndicator.objects.update_or_create(
            programme=programme,
            code=ind["code"],
            due_on=due_on,
            defaults={
                "objective": by_code.get(str(ind.get("objective") or "")),
                "title": ind["title"],
                "indicator_key": ind.get("indicator") or "",
                "unit": ind.get("unit") or Unit.COUNT,
                "direction": ind.get("direction") or Direction.AT_LEAST,
                "target": _decimal(ind.get("target"), "", errors),
                "target_note": ind.get("target_note") or "",
                "baseline": _decimal(ind.get("baseline"), "", errors),
                "baseline_note": ind.get("baseline_note") or "",
                "source": ind["source"],
                "position": pos,
            },
        )
        kept.append(indicator.pk)
    gone = programme.indicators.exclude(pk__in=kept)
    if gone.filter(manual_values__isnull=False).exists():
        raise ProgrammeFileError([f"{programme.code}: an indicator with manual values was removed from the file"])
    gone.delete()


def action_milestones(action: dict) -> list[dict]:
    return list(action.get("milestones") or [])
