"""Loading instruments: idempotent; a changed file is a new version; old versions and their answers never change."""

import shutil
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments import services
from assessments.definitions import DefinitionError
from assessments.loader import INSTRUMENTS_DIR, load_instruments
from assessments.models import Assessment, Instrument, InstrumentVersion
from assessments.tests.conftest import EMPLOYABILITY_NON_CLINICAL
from plans.vocabulary import load_vocabulary


@pytest.fixture
def instrument_dir(db, tmp_path):
    load_vocabulary()  # the shipped items name its terms
    for path in INSTRUMENTS_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_loading_twice_changes_nothing(db, instrument_dir):
    first = load_instruments(instrument_dir)
    assert sorted(first.created) == ["employability", "icf_vocational", "skills_balance"]
    rows = list(InstrumentVersion.objects.values_list("pk", "content_hash", "number"))
    second = load_instruments(instrument_dir)
    assert second.created == second.new_versions == []
    assert sorted(second.unchanged) == ["employability", "icf_vocational", "skills_balance"]
    assert list(InstrumentVersion.objects.values_list("pk", "content_hash", "number")) == rows


def test_a_changed_file_is_a_new_version_and_old_answers_stay_valid(cast, person_a, instrument_dir):
    load_instruments(instrument_dir)
    old = InstrumentVersion.objects.get(instrument__code="employability")
    old_definition = old.definition
    draft = services.assessment_start(actor=cast.operator_a, person=person_a, version=old)
    done = services.assessment_save(
        actor=cast.operator_a,
        assessment=draft,
        version=draft.version,
        answers=EMPLOYABILITY_NON_CLINICAL,
        complete=True,
    )
    path = instrument_dir / "employability.yaml"
    text = path.read_text(encoding="utf-8")
    # The new version renames an item and drops the "Strength" level of the scale.
    text = text.replace("id: wh_recent", "id: wh_last_job").replace(
        "wh_experience, wh_recent]", "wh_experience, wh_last_job]"
    )
    text = text.replace('    - {code: "4", value: 4, label: {it: "Punto di forza", en: "Strength"}}\n', "", 1)
    path.write_text(text, encoding="utf-8")

    report = load_instruments(instrument_dir)
    assert report.new_versions == ["employability"]
    versions = list(InstrumentVersion.objects.filter(instrument__code="employability").order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    old.refresh_from_db()
    assert old.definition == old_definition  # the old version is untouched
    done = Assessment.objects.get(pk=done.pk)
    assert done.instrument_version_id == old.pk
    assert done.answers["wh_recent"] == "3"
    assert done.total is not None and float(done.total) == 3.0
    assert done.band == "supported"
    # New assessments use the new version.
    new = services.assessment_start(actor=cast.operator_a, person=person_a, version=versions[1])
    assert "wh_last_job" in {i["id"] for s in new.definition["sections"] for i in s["items"]}


def test_a_file_with_errors_loads_nothing(db, instrument_dir):
    (instrument_dir / "broken.yaml").write_text("code: broken\ntitle: {it: Rotto}\n", encoding="utf-8")
    with pytest.raises(DefinitionError) as error:
        load_instruments(instrument_dir)
    assert any(message.startswith("broken.yaml: title.en") for message in error.value.errors)
    assert not Instrument.objects.exists()


def test_the_command_reports_and_refuses_broken_files(db, instrument_dir):
    out = StringIO()
    call_command("load_instruments", "--dir", str(instrument_dir), stdout=out)
    assert "3 new, 0 with a new version, 0 unchanged" in out.getvalue()
    out = StringIO()
    call_command("load_instruments", "--dir", str(instrument_dir), stdout=out)
    assert "0 new, 0 with a new version, 3 unchanged" in out.getvalue()
    (instrument_dir / "bad.yaml").write_text("code: bad\nsections: [\n", encoding="utf-8")
    with pytest.raises(CommandError, match="bad.yaml: not valid YAML"):
        call_command("load_instruments", "--dir", str(instrument_dir), stdout=StringIO())
