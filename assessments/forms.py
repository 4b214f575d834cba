"""The form of an assessment, built from its instrument version: one field per item the user may answer.

Every field is optional here: the service checks the required items on completion, so a draft can be saved
half-filled. Repeating groups have a fixed number of rows (filled rows plus empty ones, up to max_repeats).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from assessments.choices import ItemType
from assessments.definitions import iter_items, label
from core.forms import PonteFormMixin, date_input
from core.i18n import current_language

EMPTY_ROWS = 2


def field_name(item_id: str) -> str:
    return f"i_{item_id}"


def _field_for(item: dict, lang: str) -> forms.Field:
    kind = item["type"]
    common = {"required": False, "label": label(item["text"], lang), "help_text": label(item.get("help"), lang)}
    choices = [(o["code"], label(o["label"], lang)) for o in item.get("options", [])]
    if kind == ItemType.ORDINAL or (kind == ItemType.SINGLE_CHOICE and len(choices) <= 12):
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if kind == ItemType.SINGLE_CHOICE:
        return forms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == ItemType.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
    if kind == ItemType.NUMBER:
        field_class = forms.IntegerField if item.get("integer") else forms.DecimalField
        return field_class(min_value=item.get("min"), max_value=item.get("max"), **common)
    if kind == ItemType.DATE:
        return forms.DateField(widget=date_input(), **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, **common)


class AssessmentForm(PonteFormMixin, forms.Form):
    """The answers of one assessment; `answers()` gives them in the service's shape."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    assessed_on = forms.DateField(label=_("Assessed on"), widget=date_input())

    def __init__(self, *args, definition: dict, item_ids, answers: dict | None = None, **kwargs):
        self.definition = definition
        self.item_ids = frozenset(item_ids)
        answers = answers or {}
        data = args[0] if args else kwargs.get("data")
        lang = current_language()
        super().__init__(*args, **kwargs)
        self.sections = []
        self.groups: dict[str, tuple[dict, int]] = {}
        for section in definition["sections"]:
            entries = []
            for item in section["items"]:
                if item["id"] not in self.item_ids:
                    continue
                if item["type"] == ItemType.GROUP:
                    rows = self._group_rows(item, answers.get(item["id"]) or [], data)
                    self.groups[item["id"]] = (item, rows)
                    grid = []
                    for n in range(rows):
                        row = []
                        for sub in item["items"]:
                            name = f"{field_name(item['id'])}__{n}__{sub['id']}"
                            self.fields[name] = _field_for(sub, lang)
                            if sub["type"] == ItemType.SINGLE_CHOICE:
                                # A compact select in a row, not radio buttons.
                                choices = [("", "—"), *((o["code"], label(o["label"], lang)) for o in sub["options"])]
                                self.fields[name] = forms.ChoiceField(
                                    choices=choices, required=False, label=label(sub["text"], lang)
                                )
                            existing = answers.get(item["id"]) or []
                            if n < len(existing):
                                self.initial[name] = existing[n].get(sub["id"])
                            row.append(name)
                        grid.append(row)
                    entries.append(
                        {
                            "item": item,
                            "group": grid,
                            "label": label(item["text"], lang),
                            "help": label(item.get("help"), lang),
                        }
                    )
                else:
                    name = field_name(item["id"])
                    self.fields[name] = _field_for(item, lang)
                    if item["id"] in answers:
                        self.initial[name] = answers[item["id"]]
                    entries.append({"item": item, "name": name})
            if entries:
                self.sections.append(
                    {
                        "id": section["id"],
                        "title": label(section["title"], lang),
                        "help": label(section.get("help"), lang),
                        "entries": entries,
                    }
                )
        # Re-apply the mixin's widget classes to the fields added after its __init__.
        for field in self.fields.values():
            widget = field.widget
            if not (
                widget.is_hidden
                or isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple | forms.RadioSelect)
            ):
                widget.attrs.setdefault("class", "form-select" if isinstance(widget, forms.Select) else "form-control")

    @staticmethod
    def _group_rows(item: dict, existing: list, data) -> int:
        rows = len(existing) + EMPTY_ROWS
        if data is not None:
            prefix = f"{field_name(item['id'])}__"
            posted = [
                int(key[len(prefix) :].split("__")[0])
                for key in data
                if key.startswith(prefix) and key[len(prefix) :].split("__")[0].isdigit()
            ]
            if posted:
                rows = max(rows, max(posted) + 1)
        return min(rows, item["max_repeats"])

    def bound_sections(self):
        """Sections with bound fields, for the template."""
        out = []
        for section in self.sections:
            entries = []
            for entry in section["entries"]:
                if "group" in entry:
                    entries.append({**entry, "rows": [[self[name] for name in row] for row in entry["group"]]})
                else:
                    entries.append({**entry, "field": self[entry["name"]]})
            out.append({**section, "entries": entries})
        return out

    def answers(self) -> dict:
        """The cleaned answers by item id, in the shape services.assessment_save takes."""
        data = self.cleaned_data
        out = {}
        for _section, item in iter_items(self.definition):
            if item["id"] not in self.item_ids:
                continue
            if item["type"] == ItemType.GROUP:
                _item, rows = self.groups[item["id"]]
                values = []
                for n in range(rows):
                    row = {sub["id"]: data.get(f"{field_name(item['id'])}__{n}__{sub['id']}") for sub in item["items"]}
                    values.append({k: v for k, v in row.items() if v not in (None, "", [])})
                out[item["id"]] = [row for row in values if row]
            else:
                out[item["id"]] = data.get(field_name(item["id"]))
        return out

    def add_service_errors(self, errors: dict) -> None:
        for key, messages in errors.items():
            target = field_name(key) if field_name(key) in self.fields else (key if key in self.fields else None)
            if target is None and key in self.groups:
                target = None
            for message in messages:
                self.add_error(target, message)


class StartForm(PonteFormMixin, forms.Form):
    """Choose the instrument of a new assessment."""

    instrument = forms.ChoiceField(label=_("Instrument"))

    def __init__(self, *args, versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.versions = {str(v.pk): v for v in versions}
        self.fields["instrument"].choices = [(str(v.pk), v.title) for v in versions]
