"""Instrument items and the shared vocabulary: an item may name the term it measures; the loader stores the link
and refuses an unknown term (or a vocabulary not loaded yet) naming the file and the item; the term page lists the
items and the catalogue links each term to its page."""

import re
import shutil
from io import StringIO

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from assessments.definitions import DefinitionError, normalise
from assessments.loader import INSTRUMENTS_DIR, load_instruments
from assessments.models import Instrument, InstrumentItem, InstrumentVersion
from plans.models import Term
from plans.vocabulary import VOCABULARY_FILE, load_vocabulary

pytestmark = pytest.mark.django_db


@pytest.fixture
def instrument_dir(tmp_path):
    for path in INSTRUMENTS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


@pytest.fixture
def vocabulary(db):
    load_vocabulary()


def _links(code: str) -> dict[str, str]:
    items = InstrumentItem.objects.filter(version__instrument__code=code, term__isnull=False)
    return dict(items.values_list("item_id", "term__slug"))


# ------------------------------------------------------------------------------------------------------ loading


def test_the_loader_stores_each_items_term_and_every_shipped_instrument_has_one(vocabulary, instrument_dir):
    load_instruments(instrument_dir)
    employability = _links("employability")
    assert employability["cl_stability"] == "stabilita-clinica"
    assert employability["nw_family"] == "rete-familiare"
    assert "wh_experience" not in employability  # an item without a term has none
    assert _links("icf_vocational")["e310"] == "rete-familiare"
    assert _links("skills_balance")["previous_training"] == "formazione"  # a repeating group may name one too
    for version in InstrumentVersion.objects.all():
        assert version.items.filter(term__isnull=False).exists(), version
        # every item has its row, sub-items of repeating groups included
        ids = [row.item_id for row in version.items.order_by("position")]
        assert len(ids) == len(set(ids)) and ids
    skills = InstrumentVersion.objects.get(instrument__code="skills_balance")
    assert {"previous_training", "course", "course_year"} <= set(skills.items.values_list("item_id", flat=True))
    row = InstrumentItem.objects.get(version__instrument__code="employability", item_id="nw_family")
    assert (row.text_it, row.text_en) == ("Sostegno della famiglia", "Family support")


def test_every_shipped_term_is_in_the_shipped_vocabulary():
    slugs = {entry["slug"] for entry in yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))["terms"]}
    named = set()
    for path in INSTRUMENTS_DIR.glob("*.yaml"):
        named |= set(re.findall(r"\bterm: ([a-z0-9-]+)", path.read_text(encoding="utf-8")))
    assert named and named <= slugs, named - slugs


def test_an_unknown_term_is_refused_naming_the_file_and_the_item_and_nothing_is_loaded(vocabulary, instrument_dir):
    path = instrument_dir / "employability.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("term: rete-familiare", "term: famiglia-allargata"))
    with pytest.raises(DefinitionError) as caught:
        load_instruments(instrument_dir)
    assert caught.value.errors == [
        "employability.yaml: sections[6].items[0].term (item 'nw_family'): 'famiglia-allargata' is not a term of the "
        "shared vocabulary (plans/data/vocabulary.yaml, loaded by `manage.py load_vocabulary`)"
    ]
    assert not Instrument.objects.exists() and not InstrumentItem.objects.exists()
    with pytest.raises(CommandError, match=r"employability\.yaml: .*'nw_family'.*'famiglia-allargata'"):
        call_command("load_instruments", "--dir", str(instrument_dir), stdout=StringIO())


def test_without_the_vocabulary_the_loader_says_to_load_it_first(db, instrument_dir):
    assert not Term.objects.exists()
    with pytest.raises(CommandError) as caught:
        call_command("load_instruments", "--dir", str(instrument_dir), stdout=StringIO())
    message = str(caught.value)
    assert "the vocabulary is not loaded" in message and "load_vocabulary" in message
    assert "employability.yaml" in message and "icf_vocational.yaml" in message
    assert not Instrument.objects.exists()


def test_files_without_terms_load_without_the_vocabulary(db, instrument_dir):
    for path in instrument_dir.glob("*.yaml"):
        path.write_text(re.sub(r"term: [a-z0-9-]+, ", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    report = load_instruments(instrument_dir)
    assert len(report.created) == 3
    assert InstrumentItem.objects.exists() and not InstrumentItem.objects.filter(term__isnull=False).exists()


def test_a_malformed_term_is_refused_by_the_definition():
    raw = yaml.safe_load((INSTRUMENTS_DIR / "employability.yaml").read_text(encoding="utf-8"))
    raw["sections"][0]["items"][0]["term"] = "Rete Familiare"
    with pytest.raises(DefinitionError) as caught:
        normalise(raw, source="employability.yaml")
    assert caught.value.errors == [
        "sections[0].items[0].term: 'Rete Familiare' is not a vocabulary slug (lower-case letters, digits and hyphens)"
    ]


def test_adding_terms_to_a_file_is_a_new_version_and_the_old_one_keeps_none(vocabulary, instrument_dir):
    path = instrument_dir / "employability.yaml"
    with_terms = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"term: [a-z0-9-]+, ", "", with_terms), encoding="utf-8")
    load_instruments(instrument_dir)
    path.write_text(with_terms, encoding="utf-8")
    report = load_instruments(instrument_dir)
    assert report.new_versions == ["employability"]
    old, new = InstrumentVersion.objects.filter(instrument__code="employability").order_by("number")
    assert not old.items.filter(term__isnull=False).exists()
    assert "term" not in str(old.definition)
    assert new.items.get(item_id="cl_adherence").term.slug == "aderenza-ai-trattamenti"


def test_a_term_removed_from_the_vocabulary_but_used_by_an_item_is_kept(vocabulary, instrument_dir, tmp_path):
    load_instruments(instrument_dir)
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    data["terms"] = [entry for entry in data["terms"] if entry["slug"] not in ("formazione", "reddito")]
    smaller = tmp_path / "vocabulary.yaml"
    smaller.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    report = load_vocabulary(smaller)
    assert report.kept == ["formazione"] and report.deleted == ["reddito"]
    assert Term.objects.filter(slug="formazione").exists()


# -------------------------------------------------------------------------------------------------------- pages


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_term_page_lists_the_items_that_measure_it(cast, instruments, client_for):
    url = reverse("plans:vocabulary_term", args=["rete-familiare"])
    body = english(client_for(cast.analyst)).get(url).content.decode()
    table = body[body.index('data-testid="instrument-items"') :]
    table = table[: table.index("</table>")]
    rows = re.findall(r'<tr data-testid="instrument-item">(.*?)</tr>', table, re.S)
    cells = [re.findall(r"<td>(?:<a [^>]*>)?(.*?)(?:</a>)?</td>", row) for row in rows]
    assert cells == [
        ["Employability assessment", "1", "Family support"],
        ["Functioning checklist (ICF, vocational rehabilitation)", "1", "e310 Immediate family"],
    ], cells
    assert reverse("assessments:catalogue") + "#instrument-employability" in table


def test_a_term_no_item_measures_says_so(cast, instruments, client_for):
    body = client_for(cast.operator_a).get(reverse("plans:vocabulary_term", args=["reddito"])).content.decode()
    assert 'data-testid="instrument-item"' not in body
    assert 'data-testid="instrument-items"' in body


def test_the_catalogue_links_each_term_to_its_vocabulary_page(cast, instruments, client_for):
    body = english(client_for(cast.operator_a)).get(reverse("assessments:catalogue")).content.decode()
    blocks = re.findall(r'data-testid="instrument-terms">(.*?)</dd>', body, re.S)
    assert len(blocks) == 3 and all("<a " in block for block in blocks)
    employability = next(block for block in blocks if "Clinical stability" in block)
    link = reverse("plans:vocabulary_term", args=["rete-di-sostegno"])
    assert f'<a href="{link}">Support network</a> (Friends and informal network; Links with services)' in employability
