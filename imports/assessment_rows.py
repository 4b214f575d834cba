"""Comparing rows of the assessments layout with Ponte, and writing them through assessments.services.

A completed assessment of an old system is started with assessment_start on its own date and completed with
assessment_save, so the instrument's roles, the clinical items (clinicians only), the checks of every answer, the
required items, the scores and the audit events are those of the pages. The answers of a repeating group come as
`group.row.item=value` pairs; each is checked here on its own with the pages' checks (assessments.answers), so that
an error names the row and item, then the rows go to the service as the page sends them (a list of rows, in the
order of their numbers). A row is matched on its source key, else on
the person, instrument version and date of a completed assessment of the importer's organisation; a completed
assessment is never changed by an import.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from assessments import services as assessment_services
from assessments.answers import clean_answers, missing_required
from assessments.choices import AssessmentStatus, ItemType
from assessments.definitions import item_map, iter_items
from assessments.models import Assessment, InstrumentVersion
from assessments.permissions import fill_memberships, writable_item_ids
from imports import cells
from imports.case_rows import CaseLookup, CasePlan, _save_key, person_plan
from imports.cells import CellError
from imports.choices import Entity, RowAction
from imports.layouts.cases import CaseContext, CaseRow
from imports.layouts.common import fingerprint


class AssessmentLookup(CaseLookup):
    """CaseLookup, with the instrument versions named and the completed assessments of the batch's persons."""

    def __init__(self, actor, ctx: CaseContext, rows: list[CaseRow]):
        super().__init__(actor, ctx, rows, Entity.ASSESSMENTS)
        codes = {r.values.get("instrument") for r in rows} - {None}
        self.versions = {
            (v.instrument.code, v.number): v
            for v in InstrumentVersion.objects.select_related("instrument").filter(instrument__code__in=codes)
        }
        self.done: dict[int, list[Assessment]] = {}
        for assessment in Assessment.objects.filter(
            person_id__any=set(self.persons), organisation_id=ctx.org_id, status=AssessmentStatus.COMPLETED
        ):
            self.done.setdefault(assessment.person_id, []).append(assessment)
        self.recording: set[tuple] = set()

    def load_objects(self, object_ids: set[int]) -> dict:
        return Assessment.objects.in_bulk(object_ids)


def plan_assessment(actor, ctx: CaseContext, row: CaseRow, lookup: AssessmentLookup) -> CasePlan:
    """Decide what a row of the assessments layout does, reading Ponte but writing nothing."""
    plan = person_plan(row, lookup)
    if plan.action == RowAction.ERROR:
        return plan
    person = plan.person
    values = row.values
    version = lookup.versions.get((values["instrument"], values["instrument_version"]))
    if version is None:
        row.error(
            "instrument_version",
            _("Ponte has no version %(n)s of the instrument “%(code)s”: check the code and the version.")
            % {"n": values["instrument_version"], "code": values["instrument"]},
        )
        plan.action = RowAction.ERROR
        return plan
    plan.obj = None
    if not fill_memberships(actor, version, person):
        row.error(
            "instrument",
            _(
                "Your roles may not fill in this instrument for this person: it is filled in by a role of an "
                "organisation treating the person (%(roles)s)."
            )
            % {"roles": ", ".join(version.fill_roles)},
        )
        plan.action = RowAction.ERROR
        return plan
    writable = writable_item_ids(actor, version, person)
    cleaned, answers = _check_answers(row, version, writable)
    key = lookup.keys.get((row.source_system, row.source_id))
    plan.source_key = key
    found = lookup.objects.get(key.object_id) if key is not None else None
    if found is None:
        found = next(
            (
                a
                for a in lookup.done.get(person.pk, [])
                if (a.instrument_version_id, a.assessed_on) == (version.pk, values["assessed_on"])
            ),
            None,
        )
    if found is not None:
        plan.obj = found
        known = key.fingerprints if key else {}
        if found.person_id != person.pk:
            row.error("source_id", _("This old id was imported as an assessment of another person: check it."))
        for name, current in (("instrument_version", found.instrument_version_id), ("assessed_on", found.assessed_on)):
            new = version.pk if name == "instrument_version" else values[name]
            if new != current and known.get(name) != fingerprint(values[name]):
                row.error(name, _("The assessment is completed in Ponte with another instrument or date: an import "
                                  "does not change it."))  # fmt: skip
        current = {item: value for item, value in found.answers.items() if item in writable}
        if cleaned != current and known.get("answers") != fingerprint(values.get("answers")) and not row.errors:
            row.error("answers", _("The assessment is completed in Ponte: an import does not change its answers."))
    else:
        slot = (person.pk, version.pk, values["assessed_on"])
        if slot in lookup.recording:
            row.error("assessed_on", _("The file has this assessment twice (same person, instrument and date)."))
        lookup.recording.add(slot)
    plan.instrument_version = version
    if row.errors:
        plan.action = RowAction.ERROR
    elif found is None:
        plan.action = RowAction.CREATE
        plan.changes = {**values, "answers": answers}
    else:
        plan.action = RowAction.UNCHANGED
    return plan


def _not_an_item(item: str) -> str:
    return _("%(item)s is not an item of this instrument version.") % {"item": item}


def _clinical(item: str) -> str:
    return _("%(item)s is a clinical item: it is imported by a clinician.") % {"item": item}


def _check_answers(row: CaseRow, version: InstrumentVersion, writable: frozenset[str]) -> tuple[dict, dict]:
    """Every answer an item of the instrument the importer may answer, of the right form; the required ones there.

    Returns the cleaned answers (as Ponte stores them, to compare) and the answers as the page sends them to the
    service (repeating groups as lists of rows).
    """
    written = row.values.get("answers") or {}
    items = item_map(version.definition)
    group_of = {sub["id"]: i["id"] for i in items.values() if i["type"] == ItemType.GROUP for sub in i["items"]}
    answers: dict = {}
    group_rows: dict[str, dict[int, dict]] = {}
    for key, value in written.items():
        if "." in key:
            _group_answer(row, items, writable, key, value, group_rows)
            continue
        item = items.get(key)
        if item is None and key in group_of:
            row.error(
                "answers",
                _("%(item)s is an item of the repeating group %(group)s: write it as %(group)s.1.%(item)s=value (1 "
                  "for the first row, 2 for the second…).") % {"item": key, "group": group_of[key]},
            )  # fmt: skip
        elif item is None:
            row.error("answers", _not_an_item(key))
        elif item["type"] == ItemType.GROUP:
            row.error(
                "answers",
                _("%(item)s is a repeating group: write each of its answers as %(item)s.<row>.<item>=value, for "
                  "example %(example)s.") % {"item": key, "example": f"{key}.1.{item['items'][0]['id']}=…"},
            )  # fmt: skip
        elif key not in writable:
            row.error("answers", _clinical(key))
        else:
            answers[key] = _service_value(item, value)
    for group_id, rows in group_rows.items():
        answers[group_id] = [rows[number] for number in sorted(rows)]
    cleaned, errors = clean_answers(version.definition, answers, item_ids=writable)
    for item_id, message in errors.items():
        row.error("answers", f"{item_id}: {message}{_hint(items[item_id], written.get(item_id))}")
    for item_id, message in missing_required(version.definition, cleaned, item_ids=writable - set(errors)).items():
        row.error("answers", f"{item_id}: {message}")
    return cleaned, answers


def _group_answer(row: CaseRow, items: dict, writable, key: str, value: str, group_rows: dict) -> None:
    """One `group.row.item=value` answer, checked on its own and put in its row of `group_rows`."""
    group_id, _dot, rest = key.partition(".")
    group = items.get(group_id)
    if group is None:
        row.error("answers", _not_an_item(key))
        return
    if group["type"] != ItemType.GROUP:
        row.error(
            "answers",
            _("%(key)s: %(item)s is not a repeating group: write %(item)s=value.") % {"key": key, "item": group_id},
        )
        return
    if group_id not in writable:
        row.error("answers", _clinical(key))
        return
    subs = {sub["id"]: sub for sub in group["items"]}
    number, _dot, sub_id = rest.partition(".")
    names = {"key": key, "group": group_id, "max": group["max_repeats"], "items": ", ".join(subs)}
    if not number.isdigit() or not sub_id:
        row.error(
            "answers",
            _("“%(key)s”: write an answer of the repeating group %(group)s as %(group)s.<row>.<item>=value, the rows "
              "numbered from 1 to %(max)s, the item one of: %(items)s.") % names,
        )  # fmt: skip
        return
    if not 1 <= int(number) <= group["max_repeats"]:
        row.error(
            "answers",
            _("%(key)s: %(group)s has at most %(max)s rows: number them from 1 to %(max)s.") % names,
        )
        return
    sub = subs.get(sub_id)
    if sub is None:
        row.error(
            "answers",
            _("%(key)s: %(item)s is not an item of the repeating group %(group)s, whose items are: %(items)s.")
            % {**names, "item": sub_id},
        )
        return
    entries = group_rows.setdefault(group_id, {}).setdefault(int(number), {})
    if sub_id in entries:
        row.error("answers", _("The item %(item)s is answered twice: keep one.") % {"item": key})
        return
    value = _service_value(sub, value)
    # The page's check of one answer: the item alone, as if it were the only one of the instrument.
    _cleaned, errors = clean_answers({"sections": [{"items": [sub]}]}, {sub_id: value})
    if errors:
        row.error("answers", f"{key}: {errors[sub_id]}{_hint(sub, value)}")
        return
    entries[sub_id] = value


def _service_value(item: dict, value: str):
    """An answer as written in the file, in the form the page sends it: the options of a multiple choice split on
    `|`, a date written dd/mm/yyyy as yyyy-mm-dd (a date that cannot be read is left for the service to refuse)."""
    if item["type"] == ItemType.MULTIPLE_CHOICE:
        return [option.strip() for option in value.split("|") if option.strip()]
    if item["type"] == ItemType.DATE and value:
        try:
            day = cells.date(value)
        except CellError:
            return value
        return day.isoformat() if day else value
    return value


def _hint(item: dict, written) -> str:
    """What to write instead, after the page's message about an answer."""
    kind = item["type"]
    codes = ", ".join(option["code"] for option in item.get("options", []))
    if isinstance(written, str) and kind != ItemType.TEXT and (";" in written or "\n" in written):
        return " " + _("“%(value)s” holds more than one answer: write each as item=value, separated by ;.") % {
            "value": written
        }
    if kind in (ItemType.SINGLE_CHOICE, ItemType.ORDINAL):
        return " " + _("Write one of: %(codes)s.") % {"codes": codes}
    if kind == ItemType.MULTIPLE_CHOICE:
        return " " + _("Write one or more of: %(codes)s, separated by |.") % {"codes": codes}
    if kind == ItemType.DATE:
        return " " + _("Write the date as dd/mm/yyyy or yyyy-mm-dd.")
    return ""


def apply_assessment(actor, ctx: CaseContext, plan: CasePlan, *, organisation, run, lookup: AssessmentLookup) -> None:
    """Write a planned row of the assessments layout through assessments.services."""
    values = plan.row.values
    assessment = plan.obj
    if plan.action == RowAction.CREATE:
        assessment = assessment_services.assessment_start(
            actor=actor, person=plan.person, version=plan.instrument_version, assessed_on=values["assessed_on"]
        )
        assessment = assessment_services.assessment_save(
            actor=actor,
            assessment=assessment,
            version=assessment.version,
            answers=plan.changes["answers"],
            complete=True,
        )
    plan.obj = assessment
    _save_key(plan, Entity.ASSESSMENTS, organisation, run, assessment.pk, lookup)


def service_errors(row: CaseRow, exc: Exception) -> None:
    """A service's refusal as row errors: the answers' by item."""
    if isinstance(exc, PermissionDenied):
        row.error("instrument", _("Your roles may not fill in this instrument for this person."))
    elif isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                column = name if name == "assessed_on" else "answers"
                row.error(column, " ".join(error.messages) if column != "answers" else f"{name}: {error.messages[0]}")
    else:
        for message in exc.messages:
            row.error("", message)


def answers_text(answers: dict, item_ids, definition: dict | None = None) -> str:
    """Answers as the layout writes them: item=value; item=a|b; a repeating group as group.row.item=value, its rows
    numbered from 1. In the order of the instrument's items when `definition` is given (the database may keep the
    keys in another order)."""
    items = [item for _section, item in iter_items(definition)] if definition else []
    order = [item["id"] for item in items]
    sub_order = {item["id"]: [sub["id"] for sub in item.get("items", [])] for item in items}
    parts = []
    for item_id in [*(i for i in order if i in answers), *(i for i in answers if i not in order)]:
        if item_id not in item_ids:
            continue
        value = answers[item_id]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            subs = sub_order.get(item_id, [])
            for number, entry in enumerate(value, start=1):
                for sub_id in [*(i for i in subs if i in entry), *(i for i in entry if i not in subs)]:
                    parts.append(f"{item_id}.{number}.{sub_id}={_written(entry[sub_id])}")
        else:
            parts.append(f"{item_id}={_written(value)}")
    return "; ".join(parts)


def _written(value) -> str:
    return "|".join(map(str, value)) if isinstance(value, list) else str(value)
