"""Clusters and blocks (issue 14 point 5): Cluster.kind, its labels, and the optional
``"kind"`` of the organisation file."""

from __future__ import annotations

import copy
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from clusters.enums import ClusterKind
from clusters.interchange import organization_export
from clusters.models import Campaign, Cluster

GOOD_FILE = Path(__file__).parent / "data" / "organization.json"


@pytest.fixture
def good() -> dict:
    return json.loads(GOOD_FILE.read_text(encoding="utf-8"))


def _import(tmp_path: Path, data: dict) -> None:
    path = tmp_path / "organization.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    call_command("import_organization", str(path), stdout=StringIO())


def test_a_file_without_kind_makes_clusters_and_one_with_block_makes_a_block(tmp_path, good, db):
    data = copy.deepcopy(good)
    data["clusters"][1]["kind"] = "block"

    _import(tmp_path, data)

    assert list(Cluster.objects.order_by("number").values_list("code", "kind")) == [
        ("CUM1", ClusterKind.CLUSTER),
        ("CUM2", ClusterKind.BLOCK),
    ]
    exported = organization_export(Campaign.objects.get())
    assert [c["kind"] for c in exported["clusters"]] == ["cluster", "block"]


def test_a_file_changing_the_kind_changes_it_and_an_unknown_kind_is_refused(tmp_path, good, db):
    _import(tmp_path, good)
    data = copy.deepcopy(good)
    data["clusters"][0]["kind"] = "block"
    _import(tmp_path, data)
    assert Cluster.objects.get(code="CUM1").kind == ClusterKind.BLOCK

    data["clusters"][0]["kind"] = "khoi"
    with translation.override("en"), pytest.raises(CommandError) as refused:
        _import(tmp_path, data)

    assert 'kind must be "cluster" or "block", not "khoi"' in str(refused.value)
    assert Cluster.objects.get(code="CUM1").kind == ClusterKind.BLOCK


def test_labels_and_document_words_follow_the_kind(db):
    block = Cluster(number=2, kind=ClusterKind.BLOCK)
    cluster = Cluster(number=4)

    with translation.override("en"):
        assert (cluster.label, block.label) == ("Emulation cluster no. 4", "Emulation block no. 2")
    assert (cluster.heading, block.heading) == ("Cụm thi đua số 4", "Khối thi đua số 2")
    assert (block.words["leader"], block.words["deputy"]) == ("Khối trưởng", "Khối phó")
