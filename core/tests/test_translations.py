"""Italian is the default language: every source string must have a reviewed Italian translation.

These tests fail whenever a string is added without translating it: run `make messages`, translate the new
entries of locale/it/LC_MESSAGES/django.po (no empty msgstr, no `#, fuzzy`), then `make compilemessages`.
"""

import ast
import re
from pathlib import Path

from django.conf import settings

IT_PO = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)[sdif]")


def _entries(path):
    """The entries of a .po file as dicts: flags, msgctxt, msgid, msgid_plural, msgstr (list: one per form)."""
    entries, entry, field = [], None, None

    def close():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line:
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue  # comments, references, obsolete entries (#~)
        elif line.startswith('"'):
            value = ast.literal_eval(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += value
            else:
                entry[field] += value
        else:
            keyword, _, value = line.partition(" ")
            value = ast.literal_eval(value)
            match = re.fullmatch(r"msgstr\[(\d+)\]", keyword)
            if match:
                field = ("msgstr", int(match.group(1)))
                entry["msgstr"][field[1]] = value
            elif keyword == "msgstr":
                field = ("msgstr", 0)
                entry["msgstr"][0] = value
            else:
                field = keyword
                entry[keyword] = value
    close()
    return entries


def _translatable(path):
    return [entry for entry in _entries(path) if entry["msgid"] != ""]  # the header has an empty msgid


def test_the_italian_catalogue_has_entries():
    assert len(_translatable(IT_PO)) > 100


def test_every_italian_entry_is_translated():
    untranslated = [
        entry["msgid"]
        for entry in _translatable(IT_PO)
        if not entry["msgstr"] or any(not text.strip() for text in entry["msgstr"].values())
    ]
    assert untranslated == [], f"{len(untranslated)} entries of {IT_PO} have no Italian translation"


def test_no_italian_entry_is_fuzzy():
    fuzzy = [entry["msgid"] for entry in _translatable(IT_PO) if "fuzzy" in entry["flags"]]
    assert fuzzy == [], f"{len(fuzzy)} entries of {IT_PO} are marked fuzzy: review them and remove the flag"


def test_plural_entries_have_both_italian_forms():
    for entry in _translatable(IT_PO):
        if "msgid_plural" in entry:
            assert sorted(entry["msgstr"]) == [0, 1], entry["msgid"]


def test_italian_translations_keep_the_placeholders():
    wrong = []
    for entry in _translatable(IT_PO):
        expected = set(PLACEHOLDER.findall(entry["msgid"] + entry.get("msgid_plural", "")))
        for text in entry["msgstr"].values():
            if set(PLACEHOLDER.findall(text)) != expected:
                wrong.append(entry["msgid"])
    assert wrong == []


def test_the_login_page_speaks_italian_by_default(client, db):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    page = response.content.decode()
    # Needs the compiled catalogue: `make compilemessages` (the .mo files are not in git).
    assert "Accedi a Ponte" in page, "the login page is not in Italian: is locale/it/LC_MESSAGES/django.mo compiled?"
    assert re.search(r"<button[^>]*>\s*Accedi\s*</button>", page)
    assert "Nome utente" in page
    assert "Sign in" not in page
