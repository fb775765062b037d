"""Every page, every role that may open it, checked with axe-core in Chromium (issue 18, point 3).

The pages are the permission matrix's own (tests/test_url_matrix.py): its world, its route
list built from the URL patterns and its ``RULES``. Every GET case that is not an htmx
fragment is opened by every role the case allows, when the test client gets 200 and HTML
for it (downloads and redirects are left out), at 1,280 px and at 360 px wide. axe-core
(node_modules/axe-core, a pinned npm development dependency, injected here and never
served by the product) runs the WCAG 2.0/2.1 A and AA rules: no violation of serious or
critical impact may remain. At 360 px the page itself must not scroll sideways (a wide table
scrolls inside its own region). A console error (a refused inline script) fails too.

One browser, one context per role, no sleeps. Exceptions are named, with their reason, in
``EXCEPTIONS`` below and nowhere else (docs/accessibility.md).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client
from django.utils import translation
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from clusters.enums import PeriodKind, Phase
from clusters.models import Campaign, Period
from tests.e2e.conftest import login
from tests.test_url_matrix import (
    ROUTES,
    RULES,
    Case,
    World,
    _build,
    _draft,
    _publish_c1,
    _six_month,
    _target_criterion,
)

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
IMPACTS = {"serious", "critical"}
WIDTHS = (1280, 360)
HEIGHT = {1280: 900, 360: 740}
# The phase the matrix's world is left in (its requests run in it unless a case says another).
WORLD_PHASE = Phase.SIGNING

# (route name, axe rule id, reason): the only violations the test lets pass. Keep it short;
# every entry is also listed in docs/accessibility.md.
EXCEPTIONS: list[tuple[str, str, str]] = [
    (
        "campaign_table_editor",
        "label-content-name-mismatch",
        "A tree item of the score table editor is named by its own row (code, title, kind, "
        "points: aria-labelledby, the ARIA tree pattern); axe counts the text of the criteria "
        "nested under it as the item's visible text, which its name rightly leaves out.",
    ),
]


def _pages() -> list[tuple[str, int, Case]]:
    """The matrix's GET cases of full pages, those that publish cluster C1 last (publishing
    cannot be undone, and the other cases expect it not done)."""
    found = [
        (name, index, case)
        for name in sorted(ROUTES)
        for index, case in enumerate(RULES.get(name, []))
        if case.method == "GET" and not case.htmx
    ]
    return sorted(found, key=lambda item: item[2].prepare is _publish_c1)


def _url(w: World, name: str, case: Case) -> str:
    from django.urls import reverse

    route = ROUTES[name]
    return ("/" + route if name == route else reverse(name, args=case.args(w))) + case.query


def _arrange(w: World, case: Case, published: bool) -> None:
    """The world as the matrix has it for this case: its phase, then its preparation."""
    Campaign.objects.filter(pk=w.campaign.pk).update(phase=case.phase or WORLD_PHASE)
    if case.prepare is _publish_c1 and published:
        Campaign.objects.filter(pk=w.campaign.pk).update(phase=Phase.PUBLISHED)
    elif case.prepare is not None:
        case.prepare(w)


def _undo(w: World, case: Case) -> None:
    """The matrix rolls every case back; here the world is shared by the cases that follow,
    so what a preparation added goes again (publishing apart: those cases come last)."""
    if case.prepare is _target_criterion:
        w.target_criterion.delete()
    elif case.prepare is _draft:
        w.draft.delete()
    elif case.prepare is _six_month:  # the six-month review's pages (?period=six_month)
        Period.objects.filter(campaign=w.campaign, kind=PeriodKind.SIX_MONTH).delete()


def _axe(page) -> list[dict]:
    return page.evaluate(
        """tags => axe.run(document, {runOnly: {type: 'tag', values: tags},
                                      resultTypes: ['violations']})
            .then(r => r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5),
                count: v.nodes.length})))""",
        TAGS,
    )


def _open(page, url: str) -> str:
    """Open ``url`` in ``page``: '' when it is a whole HTML page (200), else what it was: a
    file (a download), a refusal or a redirect, or a fragment of a page (an htmx panel opened
    on its own, with no title)."""
    try:
        response = page.goto(url)
    except PlaywrightError as error:
        return f"a file ({str(error).splitlines()[0]})"
    if response.request.redirected_from is not None:
        return f"redirected to {response.url}"
    kind = response.headers.get("content-type", "")
    if response.status != 200 or not kind.startswith("text/html"):
        return f"{response.status} {kind}"
    if not page.title():
        return "200 a fragment of a page"
    return ""


def _context(browser, live_server, user, settings):
    """A browser context for one role, signed in through the test client's session, with
    axe-core injected before each page's own scripts (past the page's content security
    policy, which refuses an added <script> tag, as it should)."""
    client = Client()
    context = browser.new_context(base_url=live_server.url)
    if user is not None:
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}]
        )
    context.add_init_script(path=str(AXE))
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    return context, page


def _check(page, width: int, allowed: set[str]) -> list[str]:
    """axe's serious and critical findings on the page as it is now, at ``width``, and at a
    phone's width whether the page scrolls sideways."""
    page.set_viewport_size({"width": width, "height": HEIGHT[width]})
    found = [
        f"{v['id']} ({v['impact']}, {v['count']} nodes: {' | '.join(v['nodes'])})"
        for v in _axe(page)
        if v["impact"] in IMPACTS and v["id"] not in allowed
    ]
    if width < 1000:
        scroll = page.evaluate("document.documentElement.scrollWidth")
        if scroll > width:
            found.append(f"the page is {scroll}px wide")
    return found


def test_every_page_passes_axe_at_1280_and_360(browser, live_server, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    started = time.monotonic()
    w = _build()
    roles = {role: _context(browser, live_server, user, settings) for role, user in w.users.items()}
    problems: list[str] = []
    skipped: list[str] = []
    views = 0
    published = False
    for name, index, case in _pages():
        _arrange(w, case, published)
        published = published or case.prepare is _publish_c1
        url = _url(w, name, case)
        allowed = {rule for route, rule, _reason in EXCEPTIONS if route == name}
        for role in sorted(case.allow):
            _context_, page = roles[role]
            # Loaded once at the desktop width, then narrowed to a phone's: the page's CSS
            # applies as it would on either (no script of the product reads the width once).
            page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT[WIDTHS[0]]})
            page.errors.clear()
            why_not = _open(page, url)
            if why_not:
                skipped.append(f"{name}-{index} as {role}: {why_not}")
                continue
            for width in WIDTHS:
                views += 1
                problems.extend(
                    f"{name}-{index} {url} as {role} at {width}px: {problem}"
                    for problem in _check(page, width, allowed)
                )
            problems.extend(f"{name}-{index} {url} as {role}: console: {e}" for e in page.errors)
        _undo(w, case)
    for context, _page in roles.values():
        context.close()
    print(f"\naxe: {views} page views in {time.monotonic() - started:.0f}s; not pages:")
    print("\n".join(skipped))
    assert views > 100, "the matrix's pages were not found"
    assert problems == [], "\n".join(problems)


def test_the_grid_describes_its_keys_and_announces_each_save_and_total(page, org, sheets):
    """The grid's keyboard model is on the page for screen readers (tied to the grid by
    aria-describedby), and a save is announced with the unit's recomputed total in a polite
    live region. The table fixture (tests/scoring/conftest.py): I.1 manual, 20 points."""
    from tests.e2e.test_scoring_flow import I1, cell, set_phase

    set_phase(org, Phase.CLUSTER_SCORING)
    login(page, "leader")
    page.goto(f"/clusters/{org.cluster.pk}/grid/cluster/")
    grid = page.locator("#score-grid")
    assert grid.get_attribute("aria-describedby") == "grid-keys"
    keys = page.locator("#grid-keys")
    assert "Ctrl+V" in keys.text_content()
    assert keys.evaluate("e => getComputedStyle(e).position") == "absolute"  # visually hidden
    announce = page.locator("#grid-announce")
    assert (announce.get_attribute("role"), announce.get_attribute("aria-live")) == (
        "status",
        "polite",
    )
    member = sheets["M1"]
    column = [page.locator(f"#ch-{i}").get_attribute("data-unit") for i in range(3)].index(
        member.unit.label
    )
    cell(page, I1, column).focus()
    page.keyboard.type("15")
    page.keyboard.press("Enter")
    with translation.override("vi"):
        said = translation.gettext("Saved. __unit__: total __total__.")
    expect(announce).to_have_text(
        said.replace("__unit__", member.unit.label).replace("__total__", "15,00")
    )
