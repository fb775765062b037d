"""A deadline day, for locust: unit officers filling their self-assessments, cluster leaders
saving cells of the scoring grid, province staff opening rankings and reports.

Run by ``make load`` (bench/load/run.py), which seeds the accounts (bench/load/seed.py)
and passes, in the environment:

- ``LOAD_PLAN``: the JSON plan written by the seeding (accounts, sheet, cluster and entry
  ids, entries' versions and largest points);
- ``LOAD_SAVES_LOG``: a file where every save is written as one JSON line: who, which
  entry, the value, the version sent and the version answered, the status, the outcome
  (``accepted``, ``stale``, ``invalid``, ``unchanged`` or ``error``) and the app server
  that answered (nginx's ``X-Upstream``).

Each simulated user logs in through the login page like a browser (CSRF token, session
cookie) with its own account, then works with pauses of a person. One save in twenty
carries points above the criterion's largest on purpose: it must be refused (422 from the
grid; the sheet answers 200 with the error on the row, as its htmx page expects). Two
sessions of each leader unit score the same grid, so some saves meet a newer version:
the grid answers 409, the sheet its "stale" row (HX-Retarget). Only 127.0.0.1 is ever
requested.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from urllib.parse import urlsplit

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOAD_PLAN"], encoding="utf-8").read())  # noqa: SIM115
SAVES = open(os.environ["LOAD_SAVES_LOG"], "a", buffering=1, encoding="utf-8")  # noqa: SIM115
INVALID_SHARE = 0.05
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next = {"officer": itertools.count(), "leader": itertools.count(), "staff": itertools.count()}


@events.init.add_listener
def _only_localhost(environment, **_kwargs):
    host = urlsplit(environment.host or "").hostname
    if host != "127.0.0.1":
        raise SystemExit(f"bench/load: requests go to 127.0.0.1 only, not {host!r}")


def _account(kind: str, pool: list[dict]) -> dict:
    return pool[next(_next[kind]) % len(pool)]


def _record(**line) -> None:
    SAVES.write(json.dumps({"t": round(time.time(), 3), **line}) + "\n")


class DeadlineUser(HttpUser):
    abstract = True
    account: dict

    def login(self) -> None:
        page = self.client.get("/login/", name="login page")
        token = CSRF_FIELD.search(page.text)
        with self.client.post(
            "/login/",
            data={
                "username": self.account["username"],
                "password": PLAN["password"],
                "csrfmiddlewaretoken": token.group(1) if token else "",
            },
            name="login",
            catch_response=True,
        ) as response:
            if urlsplit(response.url).path.startswith("/login"):
                response.failure(f"login refused for {self.account['username']}")

    def headers(self) -> dict:
        return {"X-CSRFToken": self.client.cookies.get("csrftoken", ""), "HX-Request": "true"}

    def value(self, most: int) -> tuple[str, bool]:
        """Points to type: a valid whole number, or (sometimes) one above the largest."""
        if random.random() < INVALID_SHARE:
            return str(most + 7), True
        return str(random.randint(0, most)), False


class UnitOfficer(DeadlineUser):
    """Fills the unit's self-assessment, criterion by criterion."""

    weight = 6
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.account = _account("officer", PLAN["officers"])
        self.entries = {pk: [version, most] for pk, version, most in self.account["entries"]}
        self.login()
        self.client.get(f"/sheets/{self.account['sheet']}/", name="self-assessment page")

    @task(12)
    def save(self) -> None:
        pk = random.choice(list(self.entries))
        version, most = self.entries[pk]
        value, invalid = self.value(most)
        with self.client.post(
            f"/sheets/{self.account['sheet']}/entries/{pk}/",
            data={"points": value, "version": str(version)},
            headers=self.headers(),
            name="self-assessment save",
            catch_response=True,
        ) as response:
            found = re.search(rf'id="version-{pk}" name="version" value="(\d+)"', response.text)
            answered = int(found.group(1)) if found else None
            if response.status_code != 200:
                outcome = "error"
                response.failure(f"status {response.status_code}")
            elif response.headers.get("HX-Retarget"):
                outcome = "stale"
            elif answered is not None and answered > version:
                outcome = "accepted"
            else:
                outcome = "invalid" if invalid else "unchanged"
            if answered is not None:
                self.entries[pk][0] = answered
            _record(
                kind="self",
                user=self.account["username"],
                entry=pk,
                field="points",
                value=value,
                sent=version,
                version=answered,
                status=response.status_code,
                outcome=outcome,
                expected_refusal=invalid,
                upstream=response.headers.get("X-Upstream", ""),
            )

    @task(1)
    def reopen(self) -> None:
        self.client.get(f"/sheets/{self.account['sheet']}/", name="self-assessment page")


class ClusterLeader(DeadlineUser):
    """Scores the cluster's members in the grid, cell after cell."""

    weight = 3
    wait_time = between(1, 4)
    CELL = r'id="i(\d+)-points" class="gi[^"]*" value="[^"]*" data-version="(\d+)"'

    def on_start(self) -> None:
        self.account = _account("leader", PLAN["leaders"])
        cluster = self.account["cluster"]
        self.url = f"/clusters/{cluster}/grid/cluster/"
        self.entries = {
            pk: [version, most] for pk, version, most in PLAN["grid_entries"][str(cluster)]
        }
        self.login()
        self.open_grid()

    @task(1)
    def open_grid(self) -> None:
        page = self.client.get(self.url, name="grid page")
        for pk, version in re.findall(self.CELL, page.text):
            if int(pk) in self.entries:
                self.entries[int(pk)][0] = int(version)

    @task(20)
    def save(self) -> None:
        pk = random.choice(list(self.entries))
        version, most = self.entries[pk]
        value, invalid = self.value(most)
        with self.client.post(
            f"{self.url}cells/{pk}/",
            data={"field": "points", "value": value, "version": str(version), "by": ""},
            headers=self.headers(),
            name="grid save",
            catch_response=True,
        ) as response:
            found = re.search(
                rf'id="i{pk}-points" class="gi[^"]*" value="[^"]*" data-version="(\d+)"',
                response.text,
            )
            answered = int(found.group(1)) if found else None
            status = response.status_code
            if status == 200:
                outcome = "accepted" if answered and answered > version else "unchanged"
            elif status in (409, 422):
                outcome = "stale" if status == 409 else "invalid"
                response.success()  # a refusal the page shows on the cell
            else:
                outcome = "error"
                response.failure(f"status {status}")
            if answered is not None:
                self.entries[pk][0] = answered
            _record(
                kind="grid",
                user=self.account["username"],
                entry=pk,
                field="points",
                value=value,
                sent=version,
                version=answered,
                status=status,
                outcome=outcome,
                expected_refusal=invalid,
                upstream=response.headers.get("X-Upstream", ""),
            )


class ProvinceStaff(DeadlineUser):
    """Follows the day: rankings, the cluster report, the overview, the province report."""

    weight = 1
    wait_time = between(3, 8)

    def on_start(self) -> None:
        self.account = _account("staff", PLAN["staff"])
        self.own = "self" if self.account["campaign"] == PLAN["campaigns"]["self"] else "cluster"
        self.login()

    def cluster(self) -> int:
        return random.choice(PLAN["clusters"][self.own])

    def stage(self) -> str:
        return "self" if self.own == "self" else random.choice(["self", "cluster"])

    @task(4)
    def ranking(self) -> None:
        self.client.get(f"/clusters/{self.cluster()}/ranking/{self.stage()}/", name="ranking")

    @task(3)
    def cluster_report(self) -> None:
        self.client.get(
            f"/reports/clusters/{self.cluster()}/?stage={self.stage()}", name="cluster report"
        )

    @task(2)
    def overview(self) -> None:
        self.client.get(f"/campaigns/{self.account['campaign']}/", name="campaign overview")

    @task(1)
    def province_report(self) -> None:
        self.client.get(
            f"/reports/campaigns/{self.account['campaign']}/?stage={self.stage()}",
            name="province report",
        )

    @task(1)
    def cluster_report_xlsx(self) -> None:
        self.client.get(
            f"/reports/clusters/{self.cluster()}/?stage={self.stage()}&format=xlsx",
            name="cluster report (Excel)",
        )
