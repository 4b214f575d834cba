"""Instrument definitions: validating and normalising the YAML of an instrument into the stored form.

A definition is plain data (dicts and lists). `normalise()` checks it and returns a self-contained copy:
scales and shared option lists (such as ISCO-08) are resolved into each item, defaults are filled in and
domains learn whether they are clinical. The stored definition of an InstrumentVersion is that copy, so a
version never depends on files that may change later.
"""

import hashlib
import json
import re
from pathlib import Path

import yaml

from assessments.choices import ItemType, ScoringMethod

DATA_DIR = Path(__file__).resolve().parent / "data"
LANGUAGES = ("it", "en")
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
# The slug of a shared vocabulary term (plans.Term.slug, as plans/vocabulary.py checks it).
TERM_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TERM_SLUG_MAX = 80
CHOICE_TYPES = {ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE, ItemType.ORDINAL}
SCORED_TYPES = {ItemType.SINGLE_CHOICE, ItemType.ORDINAL, ItemType.NUMBER}
# Roles that write person-level data (accounts.choices.PERSON_WRITE_ROLES); peer experts read only.
FILL_ROLES = {"coordinator", "operator", "clinician"}


class DefinitionError(ValueError):
    """An instrument file that cannot be loaded; `errors` lists every problem with its path in the file."""

    def __init__(self, errors: list[str], source: str = ""):
        self.errors = errors
        self.source = source
        prefix = f"{source}: " if source else ""
        super().__init__(prefix + "; ".join(errors))


class _Checker:
    def __init__(self):
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def text(self, value, path: str, *, required: bool = True) -> dict | None:
        """A bilingual text {it: ..., en: ...}."""
        if value is None:
            if required:
                self.fail(path, "missing (a text with 'it' and 'en')")
            return None
        if not isinstance(value, dict):
            self.fail(path, "must be a mapping with 'it' and 'en' texts")
            return None
        out = {}
        for lang in LANGUAGES:
            text = value.get(lang)
            if not isinstance(text, str) or not text.strip():
                self.fail(f"{path}.{lang}", "missing or empty")
            else:
                out[lang] = text.strip()
        extra = set(value) - set(LANGUAGES)
        if extra:
            self.fail(path, f"unknown languages {sorted(extra)} (expected 'it' and 'en')")
        return out

    def ident(self, value, path: str) -> str:
        if not isinstance(value, str) or not ID_RE.match(value):
            self.fail(path, f"{value!r} is not a valid id (lower-case letters, digits and _, starting with a letter)")
            return str(value)
        return value

    def number(self, value, path: str, *, required: bool = False):
        if value is None and not required:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            self.fail(path, f"{value!r} is not a number")
            return None
        return value


def load_option_list(name: str) -> list[dict]:
    """A shared option list shipped as data (assessments/data/<name>.yaml)."""
    path = DATA_DIR / f"{name}.yaml"
    if not ID_RE.match(name) or not path.exists():
        raise FileNotFoundError(name)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data["options"]


def _options(check: _Checker, raw, path: str, *, need_values: bool) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        check.fail(path, "must be a non-empty list of options")
        return []
    out, seen = [], set()
    for n, option in enumerate(raw):
        opath = f"{path}[{n}]"
        if not isinstance(option, dict):
            check.fail(opath, "must be a mapping with code and label")
            continue
        code = option.get("code")
        if not isinstance(code, str | int) or isinstance(code, bool) or str(code) == "":
            check.fail(f"{opath}.code", "missing")
            continue
        code = str(code)
        if code in seen:
            check.fail(f"{opath}.code", f"duplicate code {code!r}")
        seen.add(code)
        item = {"code": code, "label": check.text(option.get("label"), f"{opath}.label")}
        value = check.number(option.get("value"), f"{opath}.value", required=need_values)
        if value is not None:
            item["value"] = value
        if option.get("group"):
            item["group"] = str(option["group"])
        out.append(item)
    return out


def _item(check: _Checker, raw, path: str, scales: dict, *, in_group: bool = False) -> dict | None:
    if not isinstance(raw, dict):
        check.fail(path, "must be a mapping")
        return None
    known = {
        "id", "type", "text", "help", "required", "clinical", "reverse", "options", "options_from", "scale",
        "min", "max", "integer", "items", "max_repeats", "code", "term",
    }  # fmt: skip
    unknown = set(raw) - known
    if unknown:
        check.fail(path, f"unknown keys {sorted(unknown)}")
    item_id = check.ident(raw.get("id"), f"{path}.id")
    kind = raw.get("type")
    if kind not in ItemType.values:
        check.fail(f"{path}.type", f"unknown type {kind!r} (expected one of {', '.join(ItemType.values)})")
        return None
    item = {
        "id": item_id,
        "type": kind,
        "text": check.text(raw.get("text"), f"{path}.text"),
        "required": bool(raw.get("required", False)),
        "clinical": bool(raw.get("clinical", False)),
    }
    if raw.get("code"):
        item["code"] = str(raw["code"])  # an external code, e.g. the ICF category
    if raw.get("term") is not None:
        # The shared vocabulary term the item measures; the loader checks that the vocabulary has it.
        term = raw["term"]
        if not isinstance(term, str) or not TERM_SLUG_RE.match(term) or len(term) > TERM_SLUG_MAX:
            check.fail(f"{path}.term", f"{term!r} is not a vocabulary slug (lower-case letters, digits and hyphens)")
        else:
            item["term"] = term
    if raw.get("help") is not None:
        item["help"] = check.text(raw.get("help"), f"{path}.help")
    if kind in CHOICE_TYPES:
        sources = [key for key in ("options", "scale", "options_from") if raw.get(key) is not None]
        if len(sources) != 1:
            check.fail(path, "a choice item needs exactly one of 'options', 'scale' or 'options_from'")
            return item
        if raw.get("scale") is not None:
            if raw["scale"] not in scales:
                check.fail(f"{path}.scale", f"unknown scale {raw['scale']!r}")
                return item
            item["options"] = scales[raw["scale"]]
        elif raw.get("options_from") is not None:
            try:
                item["options"] = _options(
                    check, load_option_list(str(raw["options_from"])), f"{path}.options_from", need_values=False
                )
            except FileNotFoundError:
                check.fail(f"{path}.options_from", f"no shipped option list {raw['options_from']!r}")
                return item
        else:
            item["options"] = _options(check, raw["options"], f"{path}.options", need_values=kind == ItemType.ORDINAL)
        if kind == ItemType.ORDINAL and any("value" not in o for o in item.get("options", [])):
            check.fail(path, "every option of an ordinal scale needs a value")
    if raw.get("reverse"):
        if kind not in (ItemType.ORDINAL, ItemType.NUMBER):
            check.fail(f"{path}.reverse", "only ordinal and number items can be reversed")
        item["reverse"] = True
    if kind == ItemType.NUMBER:
        item["min"] = check.number(raw.get("min"), f"{path}.min")
        item["max"] = check.number(raw.get("max"), f"{path}.max")
        item["integer"] = bool(raw.get("integer", False))
        if item.get("reverse") and (item["min"] is None or item["max"] is None):
            check.fail(f"{path}.reverse", "a reversed number needs min and max")
    if kind == ItemType.GROUP:
        if in_group:
            check.fail(path, "a repeating group cannot contain another group")
            return item
        subs = raw.get("items")
        if not isinstance(subs, list) or not subs:
            check.fail(f"{path}.items", "a repeating group needs its items")
            subs = []
        item["items"] = [
            parsed
            for n, raw_sub in enumerate(subs)
            if (parsed := _item(check, raw_sub, f"{path}.items[{n}]", scales, in_group=True))
        ]
        repeats = raw.get("max_repeats", 10)
        if not isinstance(repeats, int) or isinstance(repeats, bool) or not 1 <= repeats <= 50:
            check.fail(f"{path}.max_repeats", "must be an integer from 1 to 50")
            repeats = 10
        item["max_repeats"] = repeats
    return item


def _bands(check: _Checker, raw, path: str) -> list[dict]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not raw:
        check.fail(path, "must be a non-empty list of bands")
        return []
    bands, seen = [], set()
    for n, band in enumerate(raw):
        bpath = f"{path}[{n}]"
        if not isinstance(band, dict):
            check.fail(bpath, "must be a mapping with min, code and label")
            continue
        low = check.number(band.get("min"), f"{bpath}.min", required=True)
        code = check.ident(band.get("code"), f"{bpath}.code")
        if code in seen:
            check.fail(f"{bpath}.code", f"duplicate band {code!r}")
        seen.add(code)
        entry = {"min": low, "code": code, "label": check.text(band.get("label"), f"{bpath}.label")}
        if band.get("description") is not None:
            entry["description"] = check.text(band.get("description"), f"{bpath}.description")
        bands.append(entry)
    lows = [b["min"] for b in bands if b["min"] is not None]
    if lows != sorted(lows) or len(set(lows)) != len(lows):
        check.fail(path, "thresholds (min) must be strictly increasing")
    return bands


def _scoring(check: _Checker, raw, items: dict[str, dict]) -> dict:
    if raw is None:
        return {"domains": [], "total": None, "bands": []}
    if not isinstance(raw, dict):
        check.fail("scoring", "must be a mapping")
        return {"domains": [], "total": None, "bands": []}
    domains, used = [], {}
    for n, domain in enumerate(raw.get("domains") or []):
        path = f"scoring.domains[{n}]"
        if not isinstance(domain, dict):
            check.fail(path, "must be a mapping")
            continue
        dom_id = check.ident(domain.get("id"), f"{path}.id")
        method = domain.get("method", ScoringMethod.MEAN)
        if method not in ScoringMethod.values:
            check.fail(f"{path}.method", f"unknown method {method!r} (expected sum or mean)")
        refs = domain.get("items") or []
        if not refs:
            check.fail(f"{path}.items", "a domain needs its items")
        clinical = False
        for ref in refs:
            item = items.get(ref)
            if item is None:
                check.fail(f"{path}.items", f"unknown item {ref!r}")
            elif item["type"] not in SCORED_TYPES:
                check.fail(f"{path}.items", f"item {ref!r} is of type {item['type']} and cannot be scored")
            elif item["type"] == ItemType.SINGLE_CHOICE and not any("value" in o for o in item.get("options", [])):
                check.fail(f"{path}.items", f"item {ref!r} is scored but none of its options has a value")
            else:
                clinical = clinical or item["clinical"]
        if clinical and domain.get("clinical") is False:
            check.fail(f"{path}.clinical", "the domain scores clinical items, so it is clinical")
        if dom_id in used:
            check.fail(f"{path}.id", f"duplicate domain {dom_id!r}")
        used[dom_id] = clinical or bool(domain.get("clinical"))
        domains.append(
            {
                "id": dom_id,
                "label": check.text(domain.get("label"), f"{path}.label"),
                "method": method,
                "items": list(refs),
                "clinical": used[dom_id],
                "bands": _bands(check, domain.get("bands"), f"{path}.bands"),
            }
        )
    total = raw.get("total")
    if total is not None:
        if not isinstance(total, dict):
            check.fail("scoring.total", "must be a mapping with method and domains")
            total = None
        else:
            method = total.get("method", ScoringMethod.MEAN)
            if method not in ScoringMethod.values:
                check.fail("scoring.total.method", f"unknown method {method!r} (expected sum or mean)")
            refs = total.get("domains") or []
            for ref in refs:
                if ref not in used:
                    check.fail("scoring.total.domains", f"unknown domain {ref!r}")
                elif used[ref]:
                    # The band is shown to every reader of the assessment: it must not reveal clinical content.
                    check.fail("scoring.total.domains", f"domain {ref!r} is clinical and cannot enter the total")
            total = {
                "method": method,
                "domains": list(refs),
                "label": check.text(total.get("label"), "scoring.total.label"),
            }
    bands = _bands(check, raw.get("bands"), "scoring.bands")
    if bands and total is None:
        check.fail("scoring.bands", "bands need a total to apply to")
    return {"domains": domains, "total": total, "bands": bands}


def normalise(raw, *, source: str = "") -> dict:
    """The checked, self-contained definition of an instrument, or DefinitionError listing every problem."""
    check = _Checker()
    if not isinstance(raw, dict):
        raise DefinitionError(["the file must contain a mapping"], source)
    known = {"code", "title", "description", "source", "licence", "fill_roles", "self_report", "scales", "sections"}
    known |= {"scoring", "notice"}
    unknown = set(raw) - known
    if unknown:
        check.fail("(top)", f"unknown keys {sorted(unknown)}")
    definition = {
        "code": check.ident(raw.get("code"), "code"),
        "title": check.text(raw.get("title"), "title"),
        "description": check.text(raw.get("description"), "description"),
        "source": check.text(raw.get("source"), "source"),
        "licence": check.text(raw.get("licence"), "licence"),
        "self_report": bool(raw.get("self_report", False)),
    }
    if raw.get("notice") is not None:
        definition["notice"] = check.text(raw.get("notice"), "notice")
    roles = raw.get("fill_roles")
    if not isinstance(roles, list) or not roles:
        check.fail("fill_roles", f"must list the roles that may fill it in ({', '.join(sorted(FILL_ROLES))})")
        roles = []
    for role in roles:
        if role not in FILL_ROLES:
            check.fail("fill_roles", f"unknown role {role!r} (expected some of {', '.join(sorted(FILL_ROLES))})")
    definition["fill_roles"] = sorted(set(roles) & FILL_ROLES)
    scales = {}
    for name, options in (raw.get("scales") or {}).items():
        scales[name] = _options(check, options, f"scales.{name}", need_values=False)
    sections, items = [], {}
    raw_sections = raw.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        check.fail("sections", "an instrument needs at least one section")
        raw_sections = []
    section_ids = set()
    for s, section in enumerate(raw_sections):
        path = f"sections[{s}]"
        if not isinstance(section, dict):
            check.fail(path, "must be a mapping")
            continue
        sec_id = check.ident(section.get("id"), f"{path}.id")
        if sec_id in section_ids:
            check.fail(f"{path}.id", f"duplicate section {sec_id!r}")
        section_ids.add(sec_id)
        entry = {"id": sec_id, "title": check.text(section.get("title"), f"{path}.title"), "items": []}
        if section.get("help") is not None:
            entry["help"] = check.text(section.get("help"), f"{path}.help")
        raw_items = section.get("items")
        if not isinstance(raw_items, list) or not raw_items:
            check.fail(f"{path}.items", "a section needs at least one item")
            raw_items = []
        for i, raw_item in enumerate(raw_items):
            item = _item(check, raw_item, f"{path}.items[{i}]", scales)
            if item is None:
                continue
            if item["id"] in items:
                check.fail(f"{path}.items[{i}].id", f"duplicate id {item['id']!r}")
            items[item["id"]] = item
            for sub in item.get("items", []):
                if sub["id"] in items:
                    check.fail(f"{path}.items[{i}].items", f"duplicate id {sub['id']!r}")
            entry["items"].append(item)
        sections.append(entry)
    for clash in sorted(section_ids & set(items)):
        # Sections and items share one namespace: they are the linkIds of the FHIR Questionnaire.
        check.fail("sections", f"{clash!r} is the id of both a section and an item")
    definition["sections"] = sections
    definition["scoring"] = _scoring(check, raw.get("scoring"), items)
    if check.errors:
        raise DefinitionError(check.errors, source)
    return definition


def parse_file(path: Path) -> dict:
    """Read and normalise one instrument file."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError([f"not valid YAML: {exc}"], path.name) from exc
    return normalise(raw, source=path.name)


def content_hash(definition: dict) -> str:
    """A stable fingerprint of a normalised definition: equal definitions, equal hashes."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def iter_items(definition: dict, *, with_groups: bool = True):
    """Every top-level item of the definition, in order, with its section."""
    for section in definition["sections"]:
        for item in section["items"]:
            if with_groups or item["type"] != ItemType.GROUP:
                yield section, item


def iter_all_items(definition: dict):
    """Every item of the definition, the sub-items of repeating groups after their group, each with its place in
    the file (`sections[2].items[0].items[1]`), in order."""
    for s, section in enumerate(definition["sections"]):
        for i, item in enumerate(section["items"]):
            path = f"sections[{s}].items[{i}]"
            yield path, item
            for j, sub in enumerate(item.get("items", [])):
                yield f"{path}.items[{j}]", sub


def item_map(definition: dict) -> dict[str, dict]:
    return {item["id"]: item for _section, item in iter_items(definition)}


def clinical_item_ids(definition: dict) -> frozenset[str]:
    return frozenset(item["id"] for _s, item in iter_items(definition) if item["clinical"])


def clinical_domain_ids(definition: dict) -> frozenset[str]:
    return frozenset(d["id"] for d in definition["scoring"]["domains"] if d["clinical"])


def label(text: dict | None, lang: str) -> str:
    """The text in `lang`, falling back to Italian."""
    if not text:
        return ""
    return text.get(lang) or text.get("it") or ""
