"""The queue worker's heartbeat (run_worker), which /readyz reads."""

from __future__ import annotations

import os

import pytest
from django.core.management import call_command

from jobs.heartbeat import HeartbeatThread, heartbeat_forget, heartbeat_record, latest_heartbeat
from jobs.models import WorkerHeartbeat


@pytest.mark.django_db
def test_heartbeat_record_updates_one_row_per_worker():
    thread = HeartbeatThread("w1")
    first = heartbeat_record(worker_id="w1", started_at=thread.started_at)

    second = heartbeat_record(worker_id="w1", started_at=thread.started_at)

    assert WorkerHeartbeat.objects.count() == 1
    assert second.pk == first.pk
    assert second.beat_at >= first.beat_at
    assert latest_heartbeat() == second.beat_at


@pytest.mark.django_db
def test_heartbeat_forget_removes_the_worker():
    heartbeat_record(worker_id="w1", started_at=HeartbeatThread("w1").started_at)

    heartbeat_forget(worker_id="w1")

    assert latest_heartbeat() is None


@pytest.mark.django_db(transaction=True)
def test_run_worker_beats_while_it_runs_and_forgets_when_it_stops(monkeypatch):
    seen = []

    def run(worker):
        # The worker's loop runs here: the heartbeat thread has beaten by now.
        seen.extend(WorkerHeartbeat.objects.values_list("worker_id", "pid"))

    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.Worker.run", run, raising=True
    )

    call_command("run_worker", "--no-reload", "--worker-id", "test-worker", verbosity=0)

    assert seen == [("test-worker", os.getpid())]
    assert WorkerHeartbeat.objects.count() == 0
