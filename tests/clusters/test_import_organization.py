"""The ``import_organization`` command and the thidua.organization/1 format
(clusters.interchange): a good file, re-imports, moves, every kind of bad file (each refused
with a message naming the record, and nothing stored) and the export round trip."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connections
from django.utils import translation

from clusters.enums import MemberRole, Phase, UnitKind
from clusters.interchange import organization_export
from clusters.management.commands.import_organization import Command
from clusters.models import Campaign, Cluster, Membership, Unit
from clusters.services import organisation as organisation_services
from tests.factories import UnitFactory

GOOD_FILE = Path(__file__).parent / "data" / "organization.json"


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English, whatever catalogue is installed."""
    with translation.override("en"):
        yield


@pytest.fixture
def good() -> dict:
    return json.loads(GOOD_FILE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: object, name: str = "organization.json") -> str:
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def run(path: str, *args: str) -> str:
    out = StringIO()
    call_command("import_organization", path, *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Everything the import can write, without database ids."""
    return {
        "units": sorted(
            Unit.objects.values_list("code", "name", "short_name", "kind", "parent__code")
        ),
        "campaigns": sorted(
            Campaign.objects.values_list("organiser__code", "year", "name", "slogan", "phase")
        ),
        "clusters": sorted(
            Cluster.objects.values_list("campaign__year", "code", "number", "name", "description")
        ),
        "memberships": sorted(
            Membership.objects.values_list("cluster__code", "unit__code", "role")
        ),
    }


def memberships() -> list[tuple[str, str, str]]:
    return list(
        Membership.objects.order_by("cluster__number", "unit__code").values_list(
            "cluster__code", "unit__code", "role"
        )
    )


GOOD_MEMBERSHIPS = [
    ("CUM1", "PA01", MemberRole.LEADER),
    ("CUM1", "PA02", MemberRole.DEPUTY),
    ("CUM1", "PA03", MemberRole.MEMBER),
    ("CUM2", "CAH1", MemberRole.MEMBER),
    ("CUM2", "CAH2", MemberRole.LEADER),
    ("CUM2", "CAH3", MemberRole.MEMBER),
]


# --- A good file -----------------------------------------------------------------------


def test_import_organization_good_file_creates_exactly_the_organisation(tmp_path, good, db):
    output = run(write(tmp_path, good))

    assert output == (
        "Created the campaign 2023 of Công an tỉnh Thử Nghiệm (CATN).\n"
        "Units: 6 created, 0 updated, 0 unchanged.\n"
        "Clusters: 2 created, 0 updated; 6 memberships.\n"
    )
    assert sorted(Unit.objects.values_list("code", "kind", "parent__code", "short_name")) == [
        ("CAH1", UnitKind.DISTRICT, "CATN", "CA Một"),
        ("CAH2", UnitKind.DISTRICT, "CATN", "CA Hai"),
        ("CAH3", UnitKind.DISTRICT, "CATN", "CA Ba"),
        ("CATN", UnitKind.PROVINCE, None, ""),
        ("PA01", UnitKind.DEPARTMENT, "CATN", "An ninh đối ngoại"),
        ("PA02", UnitKind.DEPARTMENT, "CATN", ""),
        ("PA03", UnitKind.DEPARTMENT, "CATN", ""),
    ]
    campaign = Campaign.objects.get()
    assert (campaign.organiser.name, campaign.year, campaign.name, campaign.slogan) == (
        "Công an tỉnh Thử Nghiệm",
        2023,
        'Phong trào thi đua "Vì an ninh Tổ quốc" năm 2023',
        "Xây dựng lực lượng Công an nhân dân thật sự trong sạch, vững mạnh",
    )
    assert list(campaign.clusters.values_list("number", "code", "name", "description")) == [
        (1, "CUM1", "Cụm thi đua số 1", ""),
        (2, "CUM2", "Cụm thi đua số 2", "Công an các huyện"),
    ]
    assert memberships() == GOOD_MEMBERSHIPS


def test_import_organization_twice_changes_nothing(tmp_path, good, db):
    path = write(tmp_path, good)
    run(path)
    before = snapshot()

    output = run(path)

    assert snapshot() == before
    assert output == (
        "Updated the campaign 2023 of Công an tỉnh Thử Nghiệm (CATN).\n"
        "Units: 0 created, 0 updated, 6 unchanged.\n"
        "Clusters: 0 created, 2 updated; 6 memberships.\n"
    )


def test_import_organization_moved_unit_changes_cluster_and_role(tmp_path, good, db):
    run(write(tmp_path, good))
    good["clusters"][0]["members"].remove("PA03")
    good["clusters"][1]["members"].append("PA03")
    good["clusters"][1]["deputy"] = "PA03"

    output = run(write(tmp_path, good))

    assert "Moved PA03 from cluster CUM1 to cluster CUM2.\n" in output
    assert memberships() == [
        ("CUM1", "PA01", MemberRole.LEADER),
        ("CUM1", "PA02", MemberRole.DEPUTY),
        ("CUM2", "CAH1", MemberRole.MEMBER),
        ("CUM2", "CAH2", MemberRole.LEADER),
        ("CUM2", "CAH3", MemberRole.MEMBER),
        ("CUM2", "PA03", MemberRole.DEPUTY),
    ]


def test_import_organization_swaps_numbers_leader_and_deputy(tmp_path, good, db):
    run(write(tmp_path, good))
    good["clusters"][0].update(number=2, leader="PA02", deputy="PA01")
    good["clusters"][1]["number"] = 1

    run(write(tmp_path, good))

    assert list(Cluster.objects.order_by("number").values_list("number", "code")) == [
        (1, "CUM2"),
        (2, "CUM1"),
    ]
    assert sorted(
        Membership.objects.exclude(role=MemberRole.MEMBER).values_list(
            "cluster__code", "unit__code", "role"
        )
    ) == [
        ("CUM1", "PA01", MemberRole.DEPUTY),
        ("CUM1", "PA02", MemberRole.LEADER),
        ("CUM2", "CAH2", MemberRole.LEADER),
    ]


def test_import_organization_updates_names_and_keeps_other_parent(tmp_path, good, db):
    region = UnitFactory(code="VUNG", name="Vùng", kind=UnitKind.OTHER)
    UnitFactory(code="CAH1", name="Tên cũ", kind=UnitKind.OTHER, parent=region)
    UnitFactory(code="CAH2", name="Công an huyện Hai", short_name="CA Hai", parent=None)

    output = run(write(tmp_path, good))

    assert "Units: 4 created, 2 updated, 0 unchanged.\n" in output
    assert list(
        Unit.objects.filter(code__in=["CAH1", "CAH2"])
        .order_by("code")
        .values_list("code", "name", "kind", "parent__code")
    ) == [
        ("CAH1", "Công an huyện Một", UnitKind.DISTRICT, "VUNG"),
        ("CAH2", "Công an huyện Hai", UnitKind.DISTRICT, "CATN"),
    ]


def test_import_organization_member_only_in_database_joins_unchanged(tmp_path, good, db):
    UnitFactory(code="CAH9", name="Công an huyện Chín", kind=UnitKind.DISTRICT)
    good["clusters"][1]["members"].append("CAH9")

    run(write(tmp_path, good))

    assert Membership.objects.get(unit__code="CAH9").cluster.code == "CUM2"
    assert Unit.objects.get(code="CAH9").parent is None


def test_import_organization_without_organiser_uses_default_organiser(tmp_path, good, db):
    del good["organiser"]

    output = run(write(tmp_path, good))

    campaign = Campaign.objects.get()
    assert (campaign.organiser.code, campaign.organiser.name, campaign.organiser.kind) == (
        organisation_services.DEFAULT_ORGANISER_CODE,
        "Đơn vị tổ chức mặc định",
        UnitKind.OTHER,
    )
    assert output.startswith("Created the campaign 2023 of Đơn vị tổ chức mặc định (DEFAULT).")
    assert set(Unit.objects.exclude(code="DEFAULT").values_list("parent__code", flat=True)) == {
        "DEFAULT"
    }


def test_import_organization_option_names_organiser_of_file_without_one(tmp_path, good, db):
    UnitFactory(code="CAXY", name="Công an tỉnh XY", kind=UnitKind.PROVINCE)
    del good["organiser"]

    run(write(tmp_path, good), "--organiser", "CAXY")

    assert Campaign.objects.get().organiser.code == "CAXY"
    assert not Unit.objects.filter(code="DEFAULT").exists()


def test_import_organization_existing_organiser_is_renamed_only(tmp_path, good, db):
    UnitFactory(code="CATN", name="Tên cũ", short_name="CATN", kind=UnitKind.OTHER)

    run(write(tmp_path, good))

    organiser = Unit.objects.get(code="CATN")
    assert (organiser.name, organiser.short_name, organiser.kind) == (
        "Công an tỉnh Thử Nghiệm",
        "CATN",
        UnitKind.OTHER,
    )


def test_import_organization_keeps_clusters_file_leaves_out(tmp_path, good, db):
    run(write(tmp_path, good))
    cum2 = good["clusters"].pop()
    good["clusters"][0]["members"].append(cum2["members"][0])

    output = run(write(tmp_path, good))

    assert "Kept clusters the file does not list: CUM2.\n" in output
    assert "Moved CAH1 from cluster CUM2 to cluster CUM1.\n" in output
    assert list(Cluster.objects.order_by("number").values_list("code", flat=True)) == [
        "CUM1",
        "CUM2",
    ]
    assert list(
        Membership.objects.filter(cluster__code="CUM2").values_list("unit__code", flat=True)
    ) == ["CAH2", "CAH3"]


# --- Bad files: refused whole, with every error naming its record ----------------------


def _set(path: list, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _delete(path: list) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return change


def _append(path: list, value: object) -> Callable[[dict], None]:
    def change(data: dict) -> None:
        target = data
        for key in path:
            target = target[key]
        target.append(value)

    return change


BAD_FILES = [
    pytest.param(_delete(["format"]), 'file: the key "format" is missing', id="no-format"),
    pytest.param(
        _set(["format"], "thidua.organization/2"),
        'format: must be "thidua.organization/1", not "thidua.organization/2"',
        id="wrong-format",
    ),
    pytest.param(_delete(["year"]), 'file: the key "year" is missing', id="no-year"),
    pytest.param(
        _set(["year"], "2023"),
        'year: must be a whole number from 2000 to 2100, not "2023"',
        id="year-text",
    ),
    pytest.param(
        _set(["year"], 1999),
        "year: must be a whole number from 2000 to 2100, not 1999",
        id="year-range",
    ),
    pytest.param(
        _set(["extra"], 1),
        'file: unknown key "extra" (allowed: format, year, campaign, units, clusters, organiser)',
        id="unknown-top-key",
    ),
    pytest.param(
        _delete(["campaign", "name"]), 'campaign: the key "name" is missing', id="campaign-name"
    ),
    pytest.param(
        _set(["organiser"], "CATN"),
        "organiser: must be an object, not text",
        id="organiser-type",
    ),
    pytest.param(_set(["units"], {}), "units: must be a list, not an object", id="units-not-list"),
    pytest.param(
        _set(["units", 2], "PA03"), "units[2]: must be an object, not text", id="unit-not-object"
    ),
    pytest.param(
        _delete(["units", 2, "name"]),
        'units[2] (code "PA03"): the key "name" is missing',
        id="unit-no-name",
    ),
    pytest.param(
        _set(["units", 2, "name"], 3),
        'units[2] (code "PA03"): name must be text, not a number',
        id="unit-name-type",
    ),
    pytest.param(
        _set(["units", 2, "name"], "  "),
        'units[2] (code "PA03"): name must not be empty',
        id="unit-name-empty",
    ),
    pytest.param(
        _set(["units", 0, "parent"], "CATN"),
        'units[0] (code "PA01"): unknown key "parent" (allowed: code, name, kind, short_name)',
        id="unit-unknown-key",
    ),
    pytest.param(
        _set(["units", 3, "kind"], "xyz"),
        'units[3] (code "CAH1"): kind "xyz" is not one of '
        "ministry, province, department, district, commune, other",
        id="unit-kind",
    ),
    pytest.param(
        _append(["units"], {"code": "PA01", "name": "Phòng khác", "kind": "department"}),
        'units[6] (code "PA01"): the code "PA01" is already used by units[0] (code "PA01")',
        id="unit-duplicate",
    ),
    pytest.param(
        _append(["units"], {"code": "P" * 40, "name": "Phòng dài", "kind": "department"}),
        'units[6] (code "%s"): code: Ensure this value has at most 32 characters (it has 40).'
        % ("P" * 40),
        id="unit-code-too-long",
    ),
    pytest.param(
        _append(["units"], {"code": "CATN", "name": "Công an tỉnh", "kind": "province"}),
        'units[6] (code "CATN"): is the organiser, which cannot be a unit of its own clusters',
        id="unit-is-organiser",
    ),
    pytest.param(
        _set(["clusters", 1, "code"], "CUM1"),
        'clusters[1] (code "CUM1"): the code "CUM1" is already used by clusters[0] (code "CUM1")',
        id="cluster-duplicate",
    ),
    pytest.param(
        _set(["clusters", 1, "number"], 1),
        'clusters[1] (code "CUM2"): number 1 is already used by clusters[0] (code "CUM1")',
        id="cluster-number-duplicate",
    ),
    pytest.param(
        _set(["clusters", 1, "number"], 0),
        'clusters[1] (code "CUM2"): number must be a whole number from 1 to 32767, not 0',
        id="cluster-number-range",
    ),
    pytest.param(
        _delete(["clusters", 0, "leader"]),
        'clusters[0] (code "CUM1"): the key "leader" is missing',
        id="cluster-no-leader-key",
    ),
    pytest.param(
        _set(["clusters", 1, "leader"], "PX99"),
        'clusters[1] (code "CUM2"): leader "PX99" is not among its members',
        id="leader-not-member",
    ),
    pytest.param(
        _set(["clusters", 0, "deputy"], "CAH1"),
        'clusters[0] (code "CUM1"): deputy "CAH1" is not among its members',
        id="deputy-not-member",
    ),
    pytest.param(
        _set(["clusters", 0, "deputy"], "PA01"),
        'clusters[0] (code "CUM1"): the same unit "PA01" cannot be both leader and deputy',
        id="leader-is-deputy",
    ),
    pytest.param(
        _set(["clusters", 0, "members"], "PA01"),
        'clusters[0] (code "CUM1"): members must be a list of unit codes, not text',
        id="members-not-list",
    ),
    pytest.param(
        _append(["clusters", 0, "members"], 7),
        'clusters[0] (code "CUM1"): members must be a unit code, not 7',
        id="member-not-code",
    ),
    pytest.param(
        _append(["clusters", 0, "members"], "PA02"),
        'clusters[0] (code "CUM1"): lists the unit "PA02" twice',
        id="member-twice",
    ),
    pytest.param(
        _append(["clusters", 1, "members"], "PA01"),
        'clusters[1] (code "CUM2"): the unit "PA01" is already a member of '
        'clusters[0] (code "CUM1")',
        id="unit-in-two-clusters",
    ),
    pytest.param(
        _append(["clusters", 1, "members"], "PX99"),
        'clusters[1] (code "CUM2"): member "PX99" is not a unit of the file nor of the database',
        id="member-unknown",
    ),
    pytest.param(
        _append(["clusters", 1, "members"], "CATN"),
        'clusters[1] (code "CUM2"): the organiser "CATN" cannot be a member of its own clusters',
        id="member-is-organiser",
    ),
]


@pytest.mark.parametrize(("change", "expected"), BAD_FILES)
def test_import_organization_bad_file_is_refused_and_stores_nothing(
    tmp_path, good, db, change, expected
):
    change(good)
    path = write(tmp_path, good)

    with pytest.raises(CommandError) as refused:
        run(path)

    message = str(refused.value)
    assert message.startswith(f"{path} was not imported, nothing was stored: 1 error.\n")
    assert message.splitlines()[1:] == [f"  - {expected}"]
    assert snapshot() == {"units": [], "campaigns": [], "clusters": [], "memberships": []}


def test_import_organization_file_not_an_object_is_refused(tmp_path, db):
    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, []))

    assert str(refused.value).splitlines()[1] == "  - The file must hold a JSON object, not a list."


def test_import_organization_reports_all_errors_at_once(tmp_path, good, db):
    good["year"] = "2023"
    good["units"][3]["kind"] = "xyz"
    good["clusters"][1]["leader"] = "PX99"
    path = write(tmp_path, good)

    with pytest.raises(CommandError) as refused:
        run(path)

    assert str(refused.value).splitlines() == [
        f"{path} was not imported, nothing was stored: 3 errors.",
        '  - year: must be a whole number from 2000 to 2100, not "2023"',
        '  - units[3] (code "CAH1"): kind "xyz" is not one of '
        "ministry, province, department, district, commune, other",
        '  - clusters[1] (code "CUM2"): leader "PX99" is not among its members',
    ]
    assert Unit.objects.count() == 0


def test_import_organization_dissolved_member_is_refused(tmp_path, good, db):
    unit = UnitFactory(code="CAH1", name="Công an huyện Một", kind=UnitKind.DISTRICT)
    organisation_services.unit_deactivate(unit=unit, on=dt.date(2022, 6, 30))
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good))

    assert str(refused.value).splitlines()[1:] == [
        '  - clusters[1] (code "CUM2"): member "CAH1" was dissolved or merged on 30/06/2022 '
        "and cannot be in a cluster in 2023"
    ]
    assert snapshot() == before


def test_import_organization_published_campaign_is_refused(tmp_path, good, db):
    run(write(tmp_path, good))
    organisation_services.campaign_set_phase(campaign=Campaign.objects.get(), phase=Phase.PUBLISHED)
    good["clusters"][0]["members"].remove("PA03")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good))

    assert str(refused.value).splitlines()[1:] == [
        "  - year: the 2023 campaign of CATN has published results; "
        "its organisation can no longer change"
    ]
    assert snapshot() == before


def test_import_organization_number_of_kept_cluster_is_refused(tmp_path, good, db):
    run(write(tmp_path, good))
    good["clusters"].pop()
    good["clusters"][0]["number"] = 2
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good))

    assert str(refused.value).splitlines()[1:] == [
        '  - clusters[0] (code "CUM1"): number 2 is used by the stored cluster "CUM2", '
        "which the file does not list"
    ]
    assert snapshot() == before


def test_import_organization_option_differing_from_file_is_refused(tmp_path, good, db):
    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good), "--organiser", "CAXY")

    assert str(refused.value).splitlines()[1:] == [
        '  - organiser: the file names "CATN" but the command was given "CAXY"'
    ]
    assert Unit.objects.count() == 0


def test_import_organization_option_naming_no_unit_is_refused(tmp_path, good, db):
    del good["organiser"]

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good), "--organiser", "CAXY")

    assert str(refused.value).splitlines()[1:] == [
        '  - organiser: there is no unit with the code "CAXY"'
    ]
    assert Unit.objects.count() == 0


def test_import_organization_refusal_while_writing_stores_nothing(tmp_path, good, db, monkeypatch):
    calls = []
    real = organisation_services.cluster_set_members

    def refuse_second(**kwargs):
        calls.append(kwargs["cluster"].code)
        if len(calls) == 2:
            raise ValidationError({"unit": "This unit is already in a cluster this year."})
        return real(**kwargs)

    monkeypatch.setattr(organisation_services, "cluster_set_members", refuse_second)

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good))

    assert calls == ["CUM1", "CUM2"]
    assert str(refused.value).splitlines()[1:] == [
        '  - clusters[1] (code "CUM2"): unit: This unit is already in a cluster this year.'
    ]
    assert snapshot() == {"units": [], "campaigns": [], "clusters": [], "memberships": []}


def test_import_organization_database_error_while_writing_stores_nothing(
    tmp_path, good, db, monkeypatch
):
    real = organisation_services.cluster_upsert

    def fail_on_second(**kwargs):
        if kwargs["code"] == "CUM2":
            raise IntegrityError("disk full")
        return real(**kwargs)

    monkeypatch.setattr(organisation_services, "cluster_upsert", fail_on_second)

    with pytest.raises(CommandError) as refused:
        run(write(tmp_path, good))

    assert str(refused.value).splitlines()[1:] == [
        '  - clusters[1] (code "CUM2"): the database refused it (disk full)'
    ]
    assert snapshot() == {"units": [], "campaigns": [], "clusters": [], "memberships": []}


def test_import_organization_invalid_json_is_refused(tmp_path, db):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "thidua.organization/1",\n "year": }', encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        run(str(path))

    assert str(refused.value) == (f"{path} is not valid JSON: Expecting value (line 2, column 10).")
    assert Unit.objects.count() == 0


def test_import_organization_missing_file_is_refused(tmp_path, db):
    path = tmp_path / "absent.json"

    with pytest.raises(CommandError) as refused:
        run(str(path))

    assert str(refused.value) == (
        f"Cannot read {path}: [Errno 2] No such file or directory: '{path}'"
    )


def test_import_organization_bad_file_exits_with_status_1(tmp_path, good, db, capsys, monkeypatch):
    # run_from_argv closes the connections when it ends; the test's transaction needs its own.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    good["year"] = 1999
    path = write(tmp_path, good)

    with pytest.raises(SystemExit) as exited:
        Command().run_from_argv(["manage.py", "import_organization", path])

    assert exited.value.code == 1
    assert capsys.readouterr().err == (
        f"CommandError: {path} was not imported, nothing was stored: 1 error.\n"
        "  - year: must be a whole number from 2000 to 2100, not 1999\n"
    )
    assert Unit.objects.count() == 0


# --- Export ------------------------------------------------------------------------------


def test_organization_export_round_trips(tmp_path, good, db):
    run(write(tmp_path, good))
    campaign = Campaign.objects.get()

    exported = organization_export(campaign)

    expected = copy.deepcopy(good)
    expected["units"][2]["short_name"] = ""
    expected["units"].sort(key=lambda u: u["code"])
    for number, cluster in enumerate(expected["clusters"], start=1):
        cluster["number"] = number
        cluster.setdefault("description", "")
        cluster.setdefault("kind", "cluster")
        cluster["members"].sort()
    assert exported == expected
    before = snapshot()
    run(write(tmp_path, exported, "exported.json"))
    assert snapshot() == before
    assert organization_export(campaign) == exported


def test_import_organization_documented_example_imports(tmp_path, db):
    text = (Path(__file__).parents[2] / "docs" / "formats.md").read_text(encoding="utf-8")
    example = json.loads(text.split("```json\n", 1)[1].split("```", 1)[0])

    run(write(tmp_path, example))

    assert memberships() == [
        ("CUM2", "PA01", MemberRole.MEMBER),
        ("CUM2", "PA04", MemberRole.LEADER),
        ("CUM4", "CACJ", MemberRole.DEPUTY),
        ("CUM4", "CADM", MemberRole.LEADER),
        ("CUM4", "CAGN", MemberRole.MEMBER),
    ]
    assert list(Cluster.objects.order_by("number").values_list("code", "number")) == [
        ("CUM2", 1),
        ("CUM4", 4),
    ]
