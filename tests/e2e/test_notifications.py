"""The bell and the notifications' list in Chromium (docs/notifications.md): the bell names
the unread count, the list passes axe at 1,280 and 360 px, and a notification is opened and
marked read from the keyboard."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from clusters.enums import NoticeKind, PeriodKind, Phase
from clusters.models import Notification
from clusters.services import notices
from tests.e2e.conftest import login
from tests.e2e.test_accessibility import AXE, _check

pytestmark = pytest.mark.django_db(transaction=True)


def test_bell_list_and_marking_read_by_keyboard(page, org):
    for n, phase in enumerate([Phase.SELF_ASSESSMENT, Phase.CLUSTER_SCORING]):
        notices.notify(
            users=[org.member],
            kind=NoticeKind.REMINDER,
            campaign=org.campaign,
            url="/campaigns/",
            key=f"e2e:{n}",
            phase=phase,
            period=PeriodKind.YEAR_END,
            year=org.campaign.year,
            unit=org.member_unit.name,
            sender="Cán bộ thường trực",
        )
    page.context.add_init_script(path=str(AXE))
    login(page, "member")

    bell = page.locator("a.app-bell")
    expect(bell).to_have_attribute("data-bell", "2")
    # Its name says the count, in the page's language.
    assert "2" in bell.get_attribute("aria-label")
    bell.click()
    page.wait_for_url("**/notifications/")

    for width in (1280, 360):
        assert _check(page, width, set()) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    # Keyboard only: the first notification's "Mark as read" button, focused, and Enter.
    page.locator("[data-notification] form button").nth(1).focus()
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    expect(page.locator("a.app-bell")).to_have_attribute("data-bell", "1")
    assert Notification.objects.filter(recipient=org.member, read_at__isnull=True).count() == 1
