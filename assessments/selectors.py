"""Reads of assessments: a person's assessments by instrument, what a reader may see of them, the history."""

from dataclasses import dataclass, field

from assessments.choices import AssessmentStatus
from assessments.definitions import clinical_domain_ids, clinical_item_ids, label
from assessments.models import Assessment, Instrument, InstrumentItem, InstrumentVersion
from core.i18n import current_language


def assessments_of(user, person):
    """The person's assessments the user may see, with what their pages show, newest first."""
    return (
        Assessment.objects.restrict(user, "view")
        .filter(person=person)
        .select_related("instrument_version__instrument", "organisation", "unit", "author")
        .order_by("instrument_version__instrument__code", "-assessed_on", "-pk")
    )


def current_versions():
    """The latest version of every active instrument."""
    versions = InstrumentVersion.objects.filter(instrument__is_active=True).select_related("instrument")
    latest: dict[int, InstrumentVersion] = {}
    for version in versions.order_by("instrument_id", "number"):
        latest[version.instrument_id] = version
    return sorted(latest.values(), key=lambda v: v.instrument.code)


def catalogue():
    """Instruments with their versions, newest first."""
    return Instrument.objects.prefetch_related("versions").order_by("code")


@dataclass
class TermUse:
    """A shared vocabulary term and the texts of the items of one instrument version that measure it."""

    slug: str
    name: str
    items: list[str] = field(default_factory=list)


def terms_of_versions(versions) -> dict[int, list[TermUse]]:
    """By version id, the vocabulary terms its items measure (in item order), each with those items' texts."""
    lang = current_language()
    rows = (
        InstrumentItem.objects.filter(version__in=versions, term__isnull=False)
        .select_related("term")
        .order_by("version_id", "position")
    )
    out: dict[int, dict[str, TermUse]] = {}
    for row in rows:
        uses = out.setdefault(row.version_id, {})
        name = row.term.name_en if lang == "en" else row.term.name_it
        uses.setdefault(row.term.slug, TermUse(slug=row.term.slug, name=name)).items.append(row.text)
    return {version_id: list(uses.values()) for version_id, uses in out.items()}


@dataclass
class DomainScore:
    id: str
    label: str
    score: float | None
    band: str
    clinical: bool


@dataclass
class ScoreView:
    """The scores of one assessment as one reader may see them."""

    domains: list[DomainScore] = field(default_factory=list)
    total: float | None = None
    total_label: str = ""
    band: str = ""
    band_code: str = ""


def score_view(assessment: Assessment, *, clinical: bool) -> ScoreView:
    """Domain scores (clinical domains only for clinical readers), total and band, labelled in the language."""
    definition = assessment.definition
    lang = current_language()
    hidden = set() if clinical else clinical_domain_ids(definition)
    domains = []
    for domain in definition["scoring"]["domains"]:
        if domain["id"] in hidden:
            continue
        result = (assessment.scores.get("domains") or {}).get(domain["id"]) or {}
        band_label = ""
        for band in domain.get("bands") or []:
            if band["code"] == result.get("band"):
                band_label = label(band["label"], lang)
        domains.append(
            DomainScore(domain["id"], label(domain["label"], lang), result.get("score"), band_label, domain["clinical"])
        )
    total = definition["scoring"].get("total")
    return ScoreView(
        domains=domains,
        total=float(assessment.total) if assessment.total is not None else None,
        total_label=label(total["label"], lang) if total else "",
        band=assessment.band_label(),
        band_code=assessment.band,
    )


def visible_answers(assessment: Assessment, *, clinical: bool) -> list[dict]:
    """Sections with their items and the answers displayed, clinical items only for clinical readers."""
    definition = assessment.definition
    lang = current_language()
    hidden = set() if clinical else clinical_item_ids(definition)
    out = []
    for section in definition["sections"]:
        rows = []
        for item in section["items"]:
            if item["id"] in hidden:
                continue
            rows.append(
                {
                    "id": item["id"],
                    "text": label(item["text"], lang),
                    "value": display_answer(item, assessment.answers.get(item["id"]), lang),
                    "clinical": item["clinical"],
                }
            )
        if rows:
            out.append({"id": section["id"], "title": label(section["title"], lang), "rows": rows})
    return out


def display_answer(item: dict, value, lang: str):
    """An answer as text (choices by their label; group rows as 'label: value' lines)."""
    if value in (None, "", []):
        return ""
    labels = {o["code"]: label(o["label"], lang) for o in item.get("options", [])}
    if isinstance(value, list) and item["type"] == "group":
        lines = []
        for row in value:
            parts = [
                f"{label(sub['text'], lang)}: {display_answer(sub, row.get(sub['id']), lang)}"
                for sub in item["items"]
                if row.get(sub["id"]) not in (None, "", [])
            ]
            lines.append("; ".join(parts))
        return "\n".join(lines)
    if isinstance(value, list):
        return ", ".join(labels.get(v, v) for v in value)
    if labels:
        return labels.get(str(value), str(value))
    return str(value)


def history(assessments, *, clinical: bool) -> list[dict]:
    """Per instrument: its assessments (newest first) and the completed ones in date order for the chart."""
    groups: dict[str, dict] = {}
    for assessment in assessments:
        instrument = assessment.instrument_version.instrument
        group = groups.setdefault(instrument.code, {"instrument": instrument, "rows": [], "series": []})
        view = score_view(assessment, clinical=clinical)
        group["rows"].append({"assessment": assessment, "scores": view})
        if assessment.status == AssessmentStatus.COMPLETED and assessment.total is not None:
            group["series"].append(assessment)
    for group in groups.values():
        for newer, older in zip(group["rows"], group["rows"][1:], strict=False):
            newer["previous"] = older["assessment"]
        group["series"].sort(key=lambda a: (a.assessed_on, a.pk))
    return list(groups.values())
