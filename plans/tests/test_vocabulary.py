"""The shared vocabulary of focus areas (seed 004's "Dizionario identikit"): the shipped file, the loader
(idempotent, updates, keeps terms that goals use, refuses a bad file with nothing loaded), search in Italian,
English and by a synonym, and the term page (a count of goals, links only to goals of plans the user may see)."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from audit.models import AuditEvent
from core.testing.cast import make_case, make_person
from plans import services
from plans.choices import GoalArea
from plans.models import Goal, Term
from plans.vocabulary import VOCABULARY_FILE, VocabularyError, fold, load_vocabulary, parse_vocabulary, search

pytestmark = pytest.mark.django_db


def _entry(slug="abitare", **overrides):
    entry = {
        "slug": slug,
        "area": "housing",
        "name": {"it": "Condizione abitativa", "en": "Housing situation"},
        "definition": {"it": "Dove e come vive la persona.", "en": "Where and how the person lives."},
        "social_synonyms": ["situazione abitativa"],
        "health_synonyms": ["domicilio"],
    }
    entry.update(overrides)
    return entry


def _write(tmp_path: Path, *entries) -> Path:
    path = tmp_path / "vocabulary.yaml"
    path.write_text(yaml.safe_dump({"terms": list(entries)}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def vocabulary(db):
    load_vocabulary()
    return Term.objects.all()


# --------------------------------------------------------------------------------------------- the shipped file


def test_the_shipped_file_is_valid_and_covers_every_area():
    entries = parse_vocabulary(VOCABULARY_FILE)
    assert 20 <= len(entries) <= 35
    assert {entry["area"] for entry in entries} >= set(GoalArea.values)
    for entry in entries:
        assert entry["social_synonyms"] and entry["health_synonyms"], entry["slug"]
    header = VOCABULARY_FILE.read_text(encoding="utf-8").split("terms:")[0]
    assert "working draft" in header.lower() and "seed 004" in header.lower()


# ----------------------------------------------------------------------------------------------------- loader


def test_loading_twice_changes_nothing(vocabulary):
    count = vocabulary.count()
    assert count == len(parse_vocabulary())
    report = load_vocabulary()
    assert not (report.created or report.updated or report.deleted or report.kept)
    assert len(report.unchanged) == count == Term.objects.count()


def test_a_changed_definition_updates_the_term_and_a_removed_unused_term_goes(tmp_path):
    load_vocabulary(_write(tmp_path, _entry(), _entry("reddito", area="", name={"it": "Reddito", "en": "Income"})))
    changed = _entry(definition={"it": "Dove, come e con chi vive la persona.", "en": "Where, how and with whom."})
    report = load_vocabulary(_write(tmp_path, changed))
    assert report.updated == ["abitare"] and report.deleted == ["reddito"]
    term = Term.objects.get()
    assert term.definition_it == "Dove, come e con chi vive la persona."
    assert term.definition_en == "Where, how and with whom."


def test_a_removed_term_that_a_goal_uses_is_kept(tmp_path, cast, draft):
    load_vocabulary(_write(tmp_path, _entry(), _entry("reddito", area="", name={"it": "Reddito", "en": "Income"})))
    Goal.objects.filter(plan=draft).update(term=Term.objects.get(slug="reddito"))
    out = StringIO()
    call_command("load_vocabulary", "--file", str(_write(tmp_path, _entry())), stdout=out)
    assert Term.objects.filter(slug="reddito").exists()
    assert draft.goals.get().term.slug == "reddito"
    assert "reddito: no longer in the file, kept" in out.getvalue()


def test_a_bad_file_is_refused_naming_the_entries_and_nothing_is_loaded(tmp_path):
    path = _write(
        tmp_path,
        _entry(),
        _entry("Bad Slug"),
        _entry("lavoro", area="employment"),
        _entry("salute", definition={"it": "Solo italiano"}),
        _entry("abitare"),
        _entry("extra", colour="blue"),
    )
    with pytest.raises(VocabularyError) as caught:
        load_vocabulary(path)
    errors = "\n".join(caught.value.errors)
    assert "entry 2 ('Bad Slug'): slug" in errors
    assert "entry 3 ('lavoro'): area 'employment'" in errors
    assert "entry 4 ('salute'): definition must have exactly an 'it' and an 'en'" in errors
    assert "entry 5 ('abitare'): slug is also used by entry 1" in errors
    assert "entry 6 ('extra'): unknown keys colour" in errors
    assert not Term.objects.exists()
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_vocabulary", "--file", str(path), stdout=StringIO())
    assert not Term.objects.exists()


def test_a_bad_file_leaves_the_loaded_terms_as_they_were(tmp_path, vocabulary):
    before = {term.slug: term.definition_it for term in Term.objects.all()}
    bad = tmp_path / "broken.yaml"
    bad.write_text("terms: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid YAML"):
        call_command("load_vocabulary", "--file", str(bad), stdout=StringIO())
    assert {term.slug: term.definition_it for term in Term.objects.all()} == before


# ----------------------------------------------------------------------------------------------------- search


def test_fold_drops_accents_and_case():
    assert fold("Collocabilità") == "collocabilita"


@pytest.mark.parametrize(
    "query, slug",
    [
        ("abitativa", "condizione-abitativa"),  # Italian name
        ("housing situation", "condizione-abitativa"),  # English name
        ("residenzialità leggera", "abitare-supportato"),  # a synonym in health language
        ("borsa lavoro", "tirocinio"),  # a synonym in health language
        ("amministratore di sostegno", "tutela-giuridica"),  # a synonym in social language
        ("collocabilita", "collocabilita"),  # without the accent
        ("never excludes anyone", "collocabilita"),  # the English definition
    ],
)
def test_search_finds_names_synonyms_and_definitions_in_either_language(vocabulary, query, slug):
    assert slug in [term.slug for term in search(Term.objects.all(), query)]


def test_search_page_in_italian_english_and_by_synonym(cast, vocabulary, client_for):
    client = client_for(cast.operator_a)
    url = reverse("plans:vocabulary")
    for query, expected in (
        ("emergenza", "Emergenza abitativa"),
        ("Family carer", "Caregiver familiare"),
        ("compliance", "Aderenza ai trattamenti"),
    ):
        body = client.get(url, {"q": query}).content.decode()
        assert expected in body, query
        assert reverse("plans:vocabulary_term", args=[Term.objects.get(name_it=expected).slug]) in body
    body = client.get(url, {"q": "zzzz-nothing"}).content.decode()
    assert 'data-testid="term"' not in body


def test_the_list_groups_terms_by_area(cast, vocabulary, client_for):
    client = client_for(cast.operator_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(reverse("plans:vocabulary")).content.decode()
    assert body.count('data-testid="term"') == Term.objects.count()
    for area in [*GoalArea.values, "other"]:
        assert f'id="area-{area}"' in body
    assert "Across areas" in body


def test_the_vocabulary_needs_a_sign_in(vocabulary, client):
    assert client.get(reverse("plans:vocabulary")).status_code == 302
    assert client.get(reverse("plans:vocabulary_term", args=["tirocinio"])).status_code == 302


# -------------------------------------------------------------------------------------------------- term page


@pytest.fixture
def goals_using_a_term(cast, draft, vocabulary):
    """The term "condizione-abitativa" used by a goal of A's plan (draft) and by a goal of a plan of B's person."""
    term = Term.objects.get(slug="condizione-abitativa")
    Goal.objects.filter(plan=draft).update(term=term)
    other = make_person(registered_by=cast.org_b, last_name="Bianchi", first_name="Luca")
    make_case(person=other, unit=cast.unit_b, case_manager=cast.operator_b)
    plan_b = services.plan_create(actor=cast.operator_b, person=other)
    goal_b = services.goal_save(
        actor=cast.operator_b,
        plan=plan_b,
        version=plan_b.version,
        area="housing",
        title="Trovare una stanza",
        term=term,
    )
    return term, draft, plan_b, goal_b


def test_the_term_page_counts_every_goal_but_links_only_the_reachable_ones(cast, goals_using_a_term, client_for):
    term, plan_a, plan_b, goal_b = goals_using_a_term
    url = reverse("plans:vocabulary_term", args=[term.slug])
    client = client_for(cast.operator_b)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(url).content.decode()
    assert "2 goals in the network&#x27;s plans" in body or "2 goals in the network's plans" in body
    assert "domicilio" in body and "situazione abitativa" in body  # both synonym lists
    assert reverse("plans:detail", args=[plan_b.pk]) in body and "Trovare una stanza" in body
    assert reverse("plans:detail", args=[plan_a.pk]) not in body
    assert "Vivere da sola" not in body and "Rossi" not in body

    client = client_for(cast.operator_a)
    body = client.get(url).content.decode()
    assert reverse("plans:detail", args=[plan_a.pk]) in body
    assert reverse("plans:detail", args=[plan_b.pk]) not in body and "Bianchi" not in body


def test_an_analyst_reads_the_vocabulary_without_person_data(cast, goals_using_a_term, client_for):
    term, plan_a, plan_b, _goal = goals_using_a_term
    client = client_for(cast.analyst)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    events = AuditEvent.objects.count()
    assert client.get(reverse("plans:vocabulary")).status_code == 200
    assert client.get(reverse("plans:vocabulary"), {"q": "casa"}).status_code == 200
    response = client.get(reverse("plans:vocabulary_term", args=[term.slug]))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="goal-count">2 goals' in body
    for private in ("Vivere da sola", "Trovare una stanza", "Rossi", "Bianchi"):
        assert private not in body
    assert reverse("plans:detail", args=[plan_a.pk]) not in body
    assert reverse("plans:detail", args=[plan_b.pk]) not in body
    assert AuditEvent.objects.count() == events  # no person data read, nothing denied


def test_an_unknown_term_is_404(cast, vocabulary, client_for):
    assert client_for(cast.operator_a).get(reverse("plans:vocabulary_term", args=["nope"])).status_code == 404
