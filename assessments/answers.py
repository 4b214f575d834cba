"""Checking answers against a definition: types, ranges and options, and the required items on completion."""

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from assessments.choices import ItemType
from assessments.definitions import iter_items


def _clean_value(item: dict, value):
    """The stored form of one answer, or raise ValueError with the message for the user."""
    kind = item["type"]
    if value in (None, "", [], ()):
        return None
    codes = [o["code"] for o in item.get("options", [])]
    if kind in (ItemType.SINGLE_CHOICE, ItemType.ORDINAL):
        if str(value) not in codes:
            raise ValueError(_("Choose one of the options."))
        return str(value)
    if kind == ItemType.MULTIPLE_CHOICE:
        values = [str(v) for v in (value if isinstance(value, list | tuple) else [value])]
        if set(values) - set(codes):
            raise ValueError(_("Choose among the options."))
        return [code for code in codes if code in values]
    if kind == ItemType.NUMBER:
        try:
            number = Decimal(str(value).replace(",", "."))
        except InvalidOperation as exc:
            raise ValueError(_("Enter a number.")) from exc
        if item.get("integer") and number != number.to_integral_value():
            raise ValueError(_("Enter a whole number."))
        if item.get("min") is not None and number < Decimal(str(item["min"])):
            raise ValueError(_("Enter a number of at least %(min)s.") % {"min": item["min"]})
        if item.get("max") is not None and number > Decimal(str(item["max"])):
            raise ValueError(_("Enter a number of at most %(max)s.") % {"max": item["max"]})
        return int(number) if item.get("integer") else float(number)
    if kind == ItemType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value)).isoformat()
        except ValueError as exc:
            raise ValueError(_("Enter a valid date.")) from exc
    if kind == ItemType.TEXT:
        text = str(value).strip()
        if len(text) > 4000:
            raise ValueError(_("Write at most 4000 characters."))
        return text or None
    if kind == ItemType.GROUP:
        if not isinstance(value, list):
            raise ValueError(_("Invalid rows."))
        if len(value) > item["max_repeats"]:
            raise ValueError(_("At most %(n)s rows.") % {"n": item["max_repeats"]})
        rows = []
        for row in value:
            if not isinstance(row, dict):
                raise ValueError(_("Invalid rows."))
            cleaned = {}
            for sub in item["items"]:
                sub_value = _clean_value(sub, row.get(sub["id"]))
                if sub_value is not None:
                    cleaned[sub["id"]] = sub_value
            if cleaned:
                rows.append(cleaned)
        return rows or None
    raise ValueError(_("Unknown item."))


def clean_answers(definition: dict, answers: dict, *, item_ids=None) -> tuple[dict, dict[str, str]]:
    """The answers in their stored form (unanswered items dropped) and the errors by item id.

    Only the items in `item_ids` (all when None) are read; unknown keys are ignored.
    """
    cleaned, errors = {}, {}
    for _section, item in iter_items(definition):
        if item_ids is not None and item["id"] not in item_ids:
            continue
        try:
            value = _clean_value(item, (answers or {}).get(item["id"]))
        except ValueError as exc:
            errors[item["id"]] = str(exc)
            continue
        if value is not None:
            cleaned[item["id"]] = value
    return cleaned, errors


def missing_required(definition: dict, answers: dict, *, item_ids=None) -> dict[str, str]:
    """Required items (among `item_ids`) without an answer, with the message for the user."""
    return {
        item["id"]: _("This item is required to complete the assessment.")
        for _section, item in iter_items(definition)
        if item["required"]
        and (item_ids is None or item["id"] in item_ids)
        and answers.get(item["id"]) in (None, "", [])
    }
