"""Browser test of the deciding side of the file exchange (issue 15 point 4): the Ministry's
staff receive organiser A's proposal file on /awards/incoming/, preview it, keep it, answer a
line and download the thidua.decision/1 file; every page passes axe at 1,280 and 360 px
(the helpers of tests/e2e/test_accessibility.py)."""

from __future__ import annotations

import json

import pytest

from awards.interchange import decisions as exchange
from awards.models import ProposalAnswer, ReceivedProposal
from tests.e2e.test_accessibility import WIDTHS, _check, _context
from tests.test_url_matrix import _build

pytestmark = pytest.mark.django_db(transaction=True)


def _proposal(tmp_path):
    document = exchange.sealed(
        {
            "format": exchange.FORMAT_PROPOSAL,
            "organiser": {"code": "CAT", "name": "Công an tỉnh Thử"},
            "year": 2023,
            "campaign": "Thi đua 2023",
            "proposals": [
                {
                    "unit": {"code": "M1", "name": "Công an huyện Một"},
                    "title": {
                        "code": "co-bo",
                        "name": "Cờ thi đua của Bộ Công an",
                        "level": "ministry",
                    },
                    "cluster": {"code": "C1", "name": "Cụm thi đua số 1"},
                    "band": "Xuất sắc",
                    "total": "95.00",
                    "rank": 1,
                    "vote_share": "1.0000",
                    "votes_for": 3,
                    "members_present": 3,
                }
            ],
        }
    )
    path = tmp_path / "de-nghi-CAT-2023.json"
    path.write_bytes(exchange.file_bytes(document))
    return path


def _axe_clean(page) -> list[str]:
    problems = []
    for width in WIDTHS:
        problems += [f"{page.url} at {width}px: {p}" for p in _check(page, width, set())]
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    return problems


def test_receive_preview_answer_and_download(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    w = _build()
    context, page = _context(browser, live_server, w.users["staffB"], settings)
    problems = []
    page.goto("/awards/incoming/")
    assert page.locator("[data-empty=no-received]").count() == 1
    problems += _axe_clean(page)

    page.set_input_files("#id_file", str(_proposal(tmp_path)))
    page.locator("#proposal-file button[type=submit]").click()
    page.wait_for_selector("#confirm-form")
    assert page.locator("[data-line='M1-co-bo']").count() == 1
    assert ReceivedProposal.objects.count() == 0
    problems += _axe_clean(page)

    page.locator("#confirm-form button[type=submit]").click()
    page.wait_for_selector("#answer-form")
    problems += _axe_clean(page)
    page.select_option("#outcome-0", "granted")
    page.fill("#id_number", "12/QĐ-BCA")
    page.fill("#id_signer_name", "Nguyễn Văn B")
    page.fill("#id_signer_title", "Thứ trưởng")
    with page.expect_download() as download:
        page.locator("#answer-form button[type=submit]").click()
    document = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert document["sha256"] == exchange.digest(document)
    assert document["recipient"]["code"] == "CAT"
    assert document["items"] == [{"unit": "M1", "title": "co-bo", "outcome": "granted"}]
    assert ProposalAnswer.objects.get().number == "12/QĐ-BCA"
    page.reload()
    assert page.locator("[data-answer='12/QĐ-BCA']").count() == 1
    problems += _axe_clean(page)
    assert page.errors == []
    context.close()
    assert problems == [], "\n".join(problems)
