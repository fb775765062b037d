"""The decision file in a real browser (issue 15 point 4): staff download the proposal file
from the campaign's decisions page, the deciding authority answers it with a
thidua.decision/1 file, staff upload it, see its preview (checked by axe at 1,280 and 360 px)
and confirm; the decision's page shows the unit granted. A tampered file is refused with
its reason and records nothing."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from awards import services
from awards.interchange import decisions as exchange
from awards.models import Decision
from tests.awards.conftest import award_types, published, table  # noqa: F401 (fixtures)
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import AXE, IMPACTS, _axe
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _violations(page) -> list[str]:
    found = []
    for width, height in ((1280, 900), (360, 740)):
        page.set_viewport_size({"width": width, "height": height})
        found += [f"{width}: {v['id']} {v['nodes']}" for v in _axe(page) if v["impact"] in IMPACTS]
        if width < 1000 and page.evaluate("document.documentElement.scrollWidth") > width:
            found.append(f"{width}: the page scrolls sideways")
    return found


def test_proposal_out_decision_back_previewed_and_confirmed(
    page,
    published,  # noqa: F811 (the fixture imported above)
    award_types,  # noqa: F811
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    org = published
    flag, _advanced = award_types
    services.vote_record(
        cluster=org.cluster, unit=org.leader_unit, award_type=flag, members_present=3, votes_for=3
    )
    page.context.add_init_script(path=str(AXE))
    login(page, org.staff.username)
    page.goto(f"/campaigns/{org.campaign.pk}/awards/decisions/")
    expect(page.locator('[data-proposal="co-bo-L1"] [data-status="proposed"]')).to_be_visible()
    page.click("#proposal-file")
    with page.expect_download() as info:
        page.click("#proposal-file-all")
    sent = json.loads(info.value.path().read_bytes())
    answer = exchange.decision_for_proposal(
        sent,
        decider=UnitFactory(code="BCA", name="Bộ Công an", kind="ministry"),
        outcomes={("L1", "co-bo"): "granted"},
        number="45/QĐ-BCA",
        date=dt.date(2024, 1, 20),
        signer_name="Nguyễn Văn B",
        signer_title="Thứ trưởng",
        authority="Bộ Công an",
        level="ministry",
    )
    tampered = dict(answer, year=2022)
    (tmp_path / "sua.json").write_bytes(exchange.file_bytes(tampered))
    (tmp_path / "qd.json").write_bytes(exchange.file_bytes(answer))

    page.goto(f"/campaigns/{org.campaign.pk}/awards/decisions/")
    page.set_input_files("#id_file", str(tmp_path / "sua.json"))
    page.console_allowed.append("422")
    page.click("#decision-file button[type=submit]")
    expect(page.locator("#decision-file-errors li")).to_have_count(1)
    expect(page.locator("#decision-file-errors li")).to_contain_text("sha256")

    page.set_input_files("#id_file", str(tmp_path / "qd.json"))
    page.click("#decision-file button[type=submit]")
    expect(page.locator('[data-item="L1-co-bo"]')).to_be_visible()
    assert _violations(page) == []
    assert Decision.objects.count() == 0
    page.set_viewport_size({"width": 1280, "height": 900})
    page.click("#confirm-form button[type=submit]")
    expect(page.locator("#decision-facts")).to_contain_text("45/QĐ-BCA")
    expect(page.locator(f"#outcome-{org.leader_unit.pk}-{flag.pk}")).to_have_value("granted")
    page.goto(f"/campaigns/{org.campaign.pk}/awards/decisions/")
    expect(page.locator('[data-proposal="co-bo-L1"] [data-status="granted"]')).to_be_visible()
