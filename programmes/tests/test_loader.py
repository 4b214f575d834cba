"""The programme loader: the seeds' content, idempotency, versions, validation (all or nothing)."""

import shutil
from decimal import Decimal
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from programmes.loader import DATA_DIR, ProgrammeFileError, load_programmes
from programmes.models import Action, BudgetLine, Milestone, Objective, Programme, ProgrammeIndicator
from programmes.services import manual_value_record

CODES = [
    "melegnano-martesana-2021-2023",
    "piano-di-zona-milano-integrazione",
    "pir-tr106-2019",
    "vivere-in-salute-mentale",
]


@pytest.fixture
def data_dir(tmp_path):
    for path in DATA_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path


def _snapshot():
    return [
        list(model.objects.order_by("pk").values_list("pk", flat=True))
        for model in (Programme, Objective, Action, Milestone, BudgetLine, ProgrammeIndicator)
    ] + [list(Programme.objects.order_by("pk").values_list("content_hash", "version"))]


def test_loading_twice_changes_nothing(db, data_dir):
    first = load_programmes(data_dir)
    assert sorted(first.created) == CODES
    before = _snapshot()
    second = load_programmes(data_dir)
    assert second.created == second.updated == []
    assert sorted(second.unchanged) == CODES
    assert _snapshot() == before


def test_the_seeds_budgets_and_targets_are_shipped_with_their_source(programmes):
    pir = Programme.objects.get(code="pir-tr106-2019")
    assert sorted(pir.budget.values_list("amount", flat=True)) == [Decimal(10000), Decimal(39000), Decimal(156000)]
    assert sum(pir.budget.values_list("amount", flat=True)) == Decimal(205000)  # seed 000: Totale generale
    assert pir.objectives.filter(parent__isnull=True).count() == 4
    vivere = Programme.objects.get(code="vivere-in-salute-mentale")
    assert list(vivere.budget.order_by("position").values_list("amount", flat=True)) == [
        Decimal(500000), Decimal(150000), Decimal(355200), Decimal(150000)
    ]  # fmt: skip
    assert vivere.objectives.filter(parent__isnull=True).count() == 4
    targets = {(i.code, i.due_on and i.due_on.year): i.target for i in vivere.indicators.all()}
    assert targets[("EECO01", 2024)] == 128 and targets[("EECO01", 2026)] == 852
    assert targets[("ISR4_2IT", 2026)] == 486
    assert targets[("DOMICILIO", None)] == 110 and targets[("PASTI", None)] == 72
    pdz = Programme.objects.get(code="piano-di-zona-milano-integrazione")
    celav = dict(pdz.indicators.filter(code__startswith="CELAV").values_list("code", "target"))
    assert celav == {"CELAV-CONCLUSI": Decimal(80), "CELAV-ASSUNTI": Decimal(30)}
    assert pdz.indicators.get(code="RAGGIUNTI").target == 90
    main = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11bis"]  # seed 003: every row, in its order
    assert list(pdz.objectives.filter(parent__isnull=True).values_list("code", flat=True)) == main
    assert pdz.objectives.get(code="6.1").parent.code == "6"
    assert pdz.indicators.get(code="SPRAR-POSTI").target == 422
    assert sum(pdz.budget.values_list("amount", flat=True)) == Decimal(75487)  # the seed's only euro figure
    mm = Programme.objects.get(code="melegnano-martesana-2021-2023")
    assert mm.indicators.get(code="FORMAZIONI").target == 4
    assert not mm.budget.exists()
    assert not BudgetLine.objects.filter(source="").exists()
    assert not ProgrammeIndicator.objects.exclude(source__startswith="Seed").exists()
    assert not Objective.objects.exclude(source__startswith="Seed").exists()


def test_responsible_organisations_are_matched_by_their_exact_name(cast, data_dir):
    load_programmes(data_dir)
    pdz = Action.objects.filter(objective__programme__code="piano-di-zona-milano-integrazione")
    assert pdz.get(code="5.a").responsible_organisation == cast.ats
    assert pdz.get(code="7.e").responsible_organisation == cast.ats
    assert pdz.get(code="8.a").responsible_organisation == cast.org_a


def test_a_changed_file_is_a_new_version_keeping_indicators_and_their_manual_values(cast, data_dir):
    load_programmes(data_dir)
    mm = Programme.objects.get(code="melegnano-martesana-2021-2023")
    trainings = mm.indicators.get(code="FORMAZIONI")
    manual_value_record(
        indicator=trainings, actor=cast.coordinator_a, on=mm.starts_on, value=Decimal(1), evidence="Verbale 1/2022"
    )
    path = data_dir / "melegnano_martesana_2021_2023.yaml"
    data = yaml.safe_load(path.read_text())
    data["objectives"][0]["title"] = "Titolo cambiato"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    report = load_programmes(data_dir)
    assert report.updated == ["melegnano-martesana-2021-2023"]
    mm.refresh_from_db()
    assert mm.version == 2
    assert mm.objectives.get(code="G").title == "Titolo cambiato"
    assert mm.indicators.get(code="FORMAZIONI").pk == trainings.pk
    assert trainings.manual_values.count() == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["budget"].update(declared_total="999"), "declares 999"),
        (lambda d: d["indicators"][0].update(indicator="no.such"), "no registered indicator"),
        (lambda d: d["indicators"][0].update(objective="ZZ"), "no objective"),
        (lambda d: d.pop("source_document"), "missing 'source_document'"),
    ],
)
def test_a_file_with_an_error_loads_nothing(db, data_dir, change, message):
    path = data_dir / "pir_tr106_2019.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    with pytest.raises(ProgrammeFileError) as exc:
        load_programmes(data_dir)
    assert any(message in error for error in exc.value.errors)
    assert not Programme.objects.exists()


def test_the_command_reports_and_refuses_bad_files(db, data_dir):
    out = StringIO()
    call_command("load_programmes", dir=str(data_dir), stdout=out)
    assert "4 new" in out.getvalue()
    call_command("load_programmes", dir=str(data_dir), stdout=out)
    assert "4 unchanged" in out.getvalue()
    (data_dir / "broken.yaml").write_text("code: [")
    with pytest.raises(CommandError, match="nothing loaded"):
        call_command("load_programmes", dir=str(data_dir), stdout=out)
