"""``make load``: a deadline day on two app servers behind nginx, one of them stopped in
the middle, then the proof that no accepted save was lost.

Steps (everything on this machine, every request to 127.0.0.1):

1. the load database, ``thidua_load`` on the PostgreSQL server of DATABASE_URL (else
   postgres://postgres@127.0.0.1:5432), dropped and created anew (LOAD_DATABASE_URL picks
   another; its name must contain "load" and differ from DATABASE_URL's);
2. migrate, seed (bench/load/seed.py: two provinces, every account), collectstatic into
   bench-results/load-static/ (kept, and done again only when static/, package-lock.json or
   requirements.txt is newer);
3. two gunicorn servers with deploy/gunicorn.conf.py (LOAD_WORKERS workers each, 2 by
   default) on two free ports, and nginx (bench/load/nginx.conf.template: both servers as
   one upstream with production's upstream and retry settings) as a child process with its
   own prefix, pid and temporary folders, plain HTTP on 127.0.0.1;
4. locust headless (bench/load/locustfile.py): LOAD_USERS users (30), started at
   LOAD_SPAWN_RATE a second (5), for LOAD_DURATION (3m);
5. halfway, the first app server is stopped with LOAD_STOP_SIGNAL (KILL by default: the
   master and its workers at once, as a machine that fails; TERM: a graceful stop, which
   lets the requests in flight finish);
6. the checks: every accepted save is in the database's history with its value (none
   lost) and the latest of them is the stored value; refused saves were answered 409/422
   by the grid (200 with the stale row or the error by the sheet); no answer 500; what
   was in flight on the stopped server (nginx's log: retried on the other one, or failed).

Figures are printed and written to bench-results/load/ (summary.json, the locust CSV
files, the saves' log, nginx's access log); docs/performance.md records them. The exit
status is 1 when a check fails.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
HERE = Path(__file__).resolve().parent
OUT = ROOT / "bench-results" / "load"
VENV_BIN = Path(sys.executable).parent
DEPLOY = ROOT / "deploy"
SECRET = "load-test-only-not-secret"
# Collected once and kept: compressing every file takes minutes on a busy machine.
STATIC = ROOT / "bench-results" / "load-static"


def say(message: str) -> None:
    # UTC: Django sets the process's time zone to TIME_ZONE once it starts.
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] load: {message}", flush=True)


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def seconds(duration: str) -> int:
    """locust's duration (``180``, ``3m``, ``1m30s``) in seconds."""
    parts = re.findall(r"(\d+)\s*([hms]?)", duration)
    if not parts:
        sys.exit(f"load: LOAD_DURATION {duration!r} is not a duration (e.g. 3m, 90s)")
    scale = {"h": 3600, "m": 60, "s": 1, "": 1}
    return sum(int(n) * scale[unit] for n, unit in parts)


# --- The database -----------------------------------------------------------------------------


def database_url() -> str:
    url = os.environ.get("LOAD_DATABASE_URL")
    if url:
        return url
    dev = os.environ.get("DATABASE_URL", "")
    if dev.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(dev)._replace(path="/thidua_load"))
    return "postgres://postgres@127.0.0.1:5432/thidua_load"


def recreate_database(url: str) -> None:
    """Drop and create the load database, refusing anything that is not clearly one (a
    PostgreSQL database named with "load", not DATABASE_URL's): bench.scoring's
    ensure_database."""
    from bench.scoring import ensure_database

    ensure_database(url, drop=True, word="load")


def app_environment(url: str, work: Path) -> dict[str, str]:
    """The app servers' settings: production's (DEBUG off), over plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "DJANGO_"))}
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(STATIC),
        MEDIA_ROOT=str(work / "media"),
        LOG_LEVEL="WARNING",
    )
    # Sessions in the database, or in Redis with LOAD_REDIS_URL (redis://127.0.0.1:...).
    env.pop("REDIS_URL", None)
    if os.environ.get("LOAD_REDIS_URL"):
        env["REDIS_URL"] = os.environ["LOAD_REDIS_URL"]
    return env


def static_is_current() -> bool:
    """Whether the kept static files are newer than every source of them."""
    manifest = STATIC / "staticfiles.json"
    if not manifest.is_file():
        return False
    sources = [
        ROOT / "package-lock.json",
        *(p for p in (ROOT / "static").rglob("*") if p.is_file()),
    ]
    return manifest.stat().st_mtime > max(p.stat().st_mtime for p in sources)


def prepare(url: str, work: Path, clusters: int) -> dict:
    """Migrate, seed and collect the static files, in this process; return the plan."""
    os.environ.update(app_environment(url, work))
    os.environ["DJANGO_SETTINGS_MODULE"] = "emulation.settings"
    import django

    django.setup()
    from django.core.management import call_command

    from bench.load import seed

    say("migrate")
    call_command("migrate", verbosity=0, interactive=False)
    say(f"seed: 2 provinces of {clusters} clusters of {seed.UNITS_PER_CLUSTER} units")
    plan = seed.seed(clusters)
    seed.write_plan(plan, OUT / "plan.json")
    if static_is_current():
        say(f"static files in {STATIC} are current")
    else:
        say(f"collectstatic into {STATIC}")
        call_command("collectstatic", verbosity=0, interactive=False, clear=True)
    from django.db import connections

    connections.close_all()
    return plan


# --- The servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status < 500:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"load: {url} did not answer within {timeout:.0f} s")
        time.sleep(0.3)


def start_gunicorn(port: int, env: dict, workers: int, logs: Path) -> subprocess.Popen:
    config = DEPLOY / "gunicorn.conf.py"
    if config.is_file():
        args = ["-c", str(config)]
    else:  # before deploy/ existed: the same essentials as flags
        args = ["--worker-class", "sync", "--timeout", "60", "emulation.wsgi:application"]
    server_env = {
        **env,
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_ACCESS_LOG": "",
    }
    log = (logs / f"gunicorn-{port}.log").open("w")
    process = subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            *args,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
        ],
        cwd=ROOT,
        env=server_env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: stopped with its workers
    )
    return process


def upstream_settings() -> tuple[str, str, Path | None]:
    """The server parameters and keepalive of production's upstream, and its proxy
    snippet (deploy/nginx/); the same values written here when deploy/ has none."""
    params, keepalive, snippet = "max_fails=3 fail_timeout=15s", "32", None
    site = DEPLOY / "nginx" / "thidua.conf"
    if site.is_file():
        text = site.read_text(encoding="utf-8")
        upstream = re.search(r"upstream thidua_app \{(.*?)\}", text, re.S)
        if upstream:
            server = re.search(r"^\s*server\s+\S+\s+([^;]*);", upstream.group(1), re.M)
            alive = re.search(r"keepalive\s+(\d+);", upstream.group(1))
            params = server.group(1).strip() if server else params
            keepalive = alive.group(1) if alive else keepalive
    if (DEPLOY / "nginx" / "thidua-proxy.conf").is_file():
        snippet = DEPLOY / "nginx" / "thidua-proxy.conf"
    return params, keepalive, snippet


FALLBACK_PROXY = """proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $host;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $scheme;
proxy_set_header X-Request-ID $thidua_request_id;
proxy_next_upstream error timeout http_502 http_503;
proxy_next_upstream_tries 2;
proxy_next_upstream_timeout 30s;
"""


def start_nginx(port: int, app_ports: list[int], work: Path) -> subprocess.Popen:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        sys.exit("load: nginx is needed (apt-get install nginx)")
    prefix = work / "nginx"
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (prefix / folder).mkdir(parents=True, exist_ok=True)
    params, keepalive, snippet = upstream_settings()
    if snippet is None:
        snippet = prefix / "proxy.conf"
        snippet.write_text(FALLBACK_PROXY, encoding="utf-8")
    values = {
        "prefix": str(prefix),
        "port": str(port),
        "servers": "\n".join(f"        server 127.0.0.1:{p} {params};" for p in app_ports),
        "keepalive": keepalive,
        "proxy_snippet": str(snippet),
        "mime_types": "/etc/nginx/mime.types",
        "static_root": str(STATIC),
        "media_root": str(work / "media"),
    }
    text = (HERE / "nginx.conf.template").read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    config = prefix / "nginx.conf"
    config.write_text(text, encoding="utf-8")
    shutil.copy(config, OUT / "nginx.conf")
    base = [nginx, "-p", str(prefix), "-c", str(config), "-e", str(prefix / "error.log")]
    subprocess.run([*base, "-t", "-q"], check=True)
    return subprocess.Popen([*base, "-g", "daemon off;"], cwd=prefix, start_new_session=True)


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, group: bool = True) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        if group:
            os.killpg(process.pid, sig)
        else:
            process.send_signal(sig)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


# --- What the surviving server cost ------------------------------------------------------------


def server_cost(server: subprocess.Popen) -> dict:
    """CPU seconds and memory of an app server's processes (master and workers), read when
    the scenario ends. Divided by the requests it answered, this is what sizing starts
    from."""
    import psutil

    master = psutil.Process(server.pid)
    workers = master.children(recursive=True)
    app_cpu = sum(sum(p.cpu_times()[:2]) for p in [master, *workers])
    return {
        "app_cpu_s": round(app_cpu, 1),
        "worker_rss_mib": [round(p.memory_info().rss / 2**20) for p in workers],
        "worker_uss_mib": [round(p.memory_full_info().uss / 2**20) for p in workers],
    }


class DatabaseCpu(threading.Thread):
    """The CPU time of the load database's PostgreSQL backends, sampled every second while
    the scenario runs: a backend lives only as long as its connection (CONN_MAX_AGE, a
    worker killed), so reading them once at the end would miss most of it."""

    def __init__(self, database: str) -> None:
        super().__init__(daemon=True)
        self.marker = f" {database} "
        self.seen: dict[int, float] = {}
        self.done = threading.Event()

    def sample(self) -> None:
        import psutil

        for process in psutil.process_iter(["name", "cmdline"]):
            command = " ".join(process.info["cmdline"] or []) + " "
            if process.info["name"] != "postgres" or self.marker not in command:
                continue
            with contextlib.suppress(psutil.Error):
                used = sum(process.cpu_times()[:2])
                self.seen[process.pid] = max(self.seen.get(process.pid, 0.0), used)

    def run(self) -> None:
        while not self.done.wait(1.0):
            self.sample()

    def stop(self) -> float:
        self.sample()
        self.done.set()
        return sum(self.seen.values())


# --- The checks ----------------------------------------------------------------------------------


def read_saves(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def check_saves(saves: list[dict]) -> dict:
    """Every accepted save in the entry's history with its value, at a version after the
    one sent and up to the one answered; the latest accepted value is the stored one
    unless a later save (one whose answer was lost) changed it again."""
    from scoring.models import ScoreEntry

    accepted = [s for s in saves if s["outcome"] == "accepted"]
    ids = {s["entry"] for s in accepted}
    history: dict[int, dict[int, Decimal | None]] = {}
    for pk, version, points in ScoreEntry.history.filter(id__in=ids).values_list(
        "id", "version", "input_points"
    ):
        history.setdefault(pk, {})[version] = points
    lost = []
    for save in accepted:
        value = Decimal(save["value"])
        versions = history.get(save["entry"], {})
        if not any(
            save["sent"] < version <= save["version"] and points == value
            for version, points in versions.items()
        ):
            lost.append(save)
    latest: dict[int, dict] = {}
    for save in accepted:
        if save["version"] > latest.get(save["entry"], {"version": -1})["version"]:
            latest[save["entry"]] = save
    stored = {
        pk: (version, points)
        for pk, version, points in ScoreEntry.objects.filter(pk__in=ids).values_list(
            "pk", "version", "input_points"
        )
    }
    mismatched, overwritten = [], 0
    for pk, save in latest.items():
        version, points = stored[pk]
        if version == save["version"]:
            if points != Decimal(save["value"]):
                mismatched.append(save)
        else:
            overwritten += 1
    refused = Counter(
        (s["kind"], s["outcome"], s["status"])
        for s in saves
        if s["outcome"] in ("stale", "invalid")
    )
    wrong_refusals = [
        s
        for s in saves
        if s["outcome"] in ("stale", "invalid")
        and s["status"] not in ((409, 422) if s["kind"] == "grid" else (200,))
    ]
    invalid_stored = [s for s in accepted if s.get("expected_refusal")]
    return {
        "saves": len(saves),
        "accepted": len(accepted),
        "entries_saved": len(ids),
        "lost": len(lost),
        "lost_examples": lost[:10],
        "latest_not_stored": len(mismatched),
        "latest_changed_again_later": overwritten,
        "refused": {f"{k} {o} {st}": n for (k, o, st), n in sorted(refused.items())},
        "refusals_with_wrong_status": len(wrong_refusals),
        "invalid_values_stored": len(invalid_stored),
        "outcomes": dict(Counter(f"{s['kind']} {s['outcome']}" for s in saves)),
        "errors": [
            {
                **{k: s.get(k) for k in ("t", "kind", "entry", "value", "status", "upstream")},
                "stored": _stored_anyway(s),
            }
            for s in saves
            if s["outcome"] == "error"
        ],
    }


def _stored_anyway(save: dict) -> bool:
    """Whether a save whose answer failed (a 502 from the stopped server) was stored all
    the same: committed before the server died, its answer lost on the way."""
    from scoring.models import ScoreEntry

    return ScoreEntry.history.filter(
        id=save["entry"], version__gt=save["sent"], input_points=Decimal(save["value"])
    ).exists()


LOG_LINE = re.compile(
    r'^(?P<end>[\d.]+) (?P<took>[\d.]+) "(?P<request>[^"]*)" (?P<status>\d+) '
    r'upstream="(?P<upstream>[^"]*)" ustatus="(?P<ustatus>[^"]*)"'
)


def read_access_log(path: Path, stopped: str, stopped_at: float) -> dict:
    """Statuses nginx answered, and the requests sent to the stopped server from the moment
    it stopped: those it had in flight (begun before) and those sent to it afterwards,
    until nginx's passive health check left it out (refused connections, retried)."""
    statuses: Counter = Counter()
    sent = []
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        found = LOG_LINE.match(line)
        if not found:
            continue
        statuses[found["status"]] += 1
        end, took = float(found["end"]), float(found["took"])
        tried = [u.strip() for u in found["upstream"].split(",")]
        if stopped not in tried or end < stopped_at:
            continue
        method, _, rest = found["request"].partition(" ")
        sent.append(
            {
                "when": "in flight" if end - took < stopped_at else "after the stop",
                "method": method,
                "path": re.sub(r"\d+", "N", rest.split(" ")[0].split("?")[0]),
                "status": int(found["status"]),
                "how": "retried on the other server" if "," in found["upstream"] else "once",
                "answers": found["ustatus"],
            }
        )
    grouped = Counter(
        (r["when"], r["method"], r["path"], r["status"], r["how"], r["answers"]) for r in sent
    )
    return {
        "statuses": dict(sorted(statuses.items())),
        "answers_500": statuses.get("500", 0),
        "sent_to_stopped_server": [
            {
                "when": w,
                "method": m,
                "path": p,
                "status": st,
                "how": h,
                "upstream_answers": a,
                "count": n,
            }  # fmt: skip
            for (w, m, p, st, h, a), n in sorted(grouped.items())
        ],
    }


def answered_by(path: Path, server: str) -> int:
    """How many requests ``server`` answered (the last app server nginx tried)."""
    count = 0
    for line in path.read_text(encoding="utf-8").splitlines() if path.is_file() else []:
        found = LOG_LINE.match(line)
        if found and found["upstream"].split(",")[-1].strip() == server:
            count += 1
    return count


def read_locust(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_stats.csv")
    if not path.is_file():
        return []
    rows = []
    with path.open(newline="", encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            rows.append(
                {
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 1),
                    "p50_ms": int(float(row["50%"] or 0)),
                    "p95_ms": int(float(row["95%"] or 0)),
                    "p99_ms": int(float(row["99%"] or 0)),
                    "max_ms": int(float(row["Max Response Time"] or 0)),
                }
            )
    return rows


def code_state() -> dict:
    """The commit measured, and the files changed in the work tree over it (a shared
    checkout runs what is on disk)."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    changed = [
        line[3:] for line in git("status", "--short").splitlines() if line[3:].endswith(".py")
    ]
    return {"commit": git("rev-parse", "--short", "HEAD"), "python_files_changed": changed}


def print_summary(summary: dict) -> None:
    print()
    print(f"Deadline day: {summary['users']} users for {summary['duration_s']} s, "
          f"two app servers of {summary['workers_per_server']} workers; "
          f"{summary['stop']['signal']} to {summary['stop']['server']} at "
          f"{summary['stop']['after_s']} s")  # fmt: skip
    print(f"{'request':<28}{'count':>8}{'fail':>6}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
          f"{'p99 ms':>8}{'max ms':>8}")  # fmt: skip
    for r in summary["requests"]:
        print(f"{r['name']:<28}{r['requests']:>8}{r['failures']:>6}{r['rps']:>8}"
              f"{r['p50_ms']:>8}{r['p95_ms']:>8}{r['p99_ms']:>8}{r['max_ms']:>8}")  # fmt: skip
    saves = summary["saves"]
    print(f"saves: {saves['accepted']} accepted of {saves['saves']}, lost {saves['lost']}, "
          f"latest value not stored {saves['latest_not_stored']}; refused {saves['refused']}; "
          f"refusals with a wrong status {saves['refusals_with_wrong_status']}; "
          f"invalid values stored {saves['invalid_values_stored']}")  # fmt: skip
    errors = saves["errors"]
    print(f"saves without an answer (502 and the like): {len(errors)}, of which stored before "
          f"the server died: {sum(e['stored'] for e in errors)}")  # fmt: skip
    cost = summary["surviving_server"]
    print(f"surviving server: {cost['requests']} requests, app CPU "
          f"{cost['app_cpu_ms_per_request']} ms a request; workers' memory (USS) "
          f"{cost['worker_uss_mib']} MiB; PostgreSQL: {cost['db_cpu_s']} s of CPU for "
          f"{cost['all_requests']} requests, "
          f"{cost['db_cpu_ms_per_request']} ms a request")  # fmt: skip
    nginx = summary["nginx"]
    print(f"nginx answers: {nginx['statuses']} (500: {nginx['answers_500']})")
    print("sent to the stopped server once it stopped:")
    for row in nginx["sent_to_stopped_server"] or [{"path": "none"}]:
        print(f"  {row}")
    print(f"result: {'PASS' if summary['passed'] else 'FAIL'} {summary['failed_checks']}")


# --- The run -------------------------------------------------------------------------------------


def main() -> int:
    users = env_int("LOAD_USERS", 30)
    duration = os.environ.get("LOAD_DURATION", "3m")
    spawn_rate = env_int("LOAD_SPAWN_RATE", 5)
    clusters = env_int("LOAD_CLUSTERS", 10)
    workers = env_int("LOAD_WORKERS", 2)
    stop_signal = os.environ.get("LOAD_STOP_SIGNAL", "KILL").upper()
    if stop_signal not in ("KILL", "TERM"):
        sys.exit("load: LOAD_STOP_SIGNAL must be KILL or TERM")
    total = seconds(duration)
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        if old.is_file():
            old.unlink()
    url = database_url()
    recreate_database(url)
    work = Path(tempfile.mkdtemp(prefix="thidua-load-"))
    say(f"working folder {work}")
    prepare(url, work, clusters)
    env = app_environment(url, work)
    ports = [free_port(), free_port()]
    servers = [start_gunicorn(p, env, workers, work) for p in ports]
    nginx = None
    locust = None
    try:
        for port in ports:
            wait_for(f"http://127.0.0.1:{port}/healthz")
        front = free_port()
        nginx = start_nginx(front, ports, work)
        wait_for(f"http://127.0.0.1:{front}/healthz")
        say(f"gunicorn on {ports}, nginx on {front}; locust: {users} users for {duration}")
        saves_log = OUT / "saves.jsonl"
        database_cpu = DatabaseCpu(unquote(urlsplit(url).path.lstrip("/")))
        database_cpu.start()
        locust = subprocess.Popen(
            [
                str(VENV_BIN / "locust"),
                "-f",
                str(HERE / "locustfile.py"),
                "--headless",
                "--users",
                str(users),
                "--spawn-rate",
                str(spawn_rate),
                "--run-time",
                duration,
                "--host",
                f"http://127.0.0.1:{front}",
                "--csv",
                str(OUT / "locust"),
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "LOAD_PLAN": str(OUT / "plan.json"),
                "LOAD_SAVES_LOG": str(saves_log),
            },
            stdout=(OUT / "locust.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        started = time.time()
        time.sleep(total / 2)
        stopped_at = time.time()
        sig = signal.SIGKILL if stop_signal == "KILL" else signal.SIGTERM
        say(f"SIG{stop_signal} to the app server on port {ports[0]}")
        # KILL: the whole process group (master and workers) at once; TERM: the master,
        # which stops taking requests and lets its workers finish theirs.
        stop(servers[0], sig, group=stop_signal == "KILL")
        code = locust.wait(total + 120)
        say(f"locust finished ({code})")
        cost = server_cost(servers[1])
        cost["db_cpu_s"] = round(database_cpu.stop(), 1)
    finally:
        if locust is not None and locust.poll() is None:
            stop(locust, group=False)
        for server in servers:
            stop(server, group=False)
        if nginx is not None:
            stop(nginx, signal.SIGQUIT)
            with contextlib.suppress(FileNotFoundError):
                shutil.copy(work / "nginx" / "access.log", OUT / "nginx-access.log")
        for port in ports:
            with contextlib.suppress(FileNotFoundError):
                shutil.copy(work / f"gunicorn-{port}.log", OUT / f"gunicorn-{port}.log")
    saves = check_saves(read_saves(OUT / "saves.jsonl"))
    nginx_figures = read_access_log(OUT / "nginx-access.log", f"127.0.0.1:{ports[0]}", stopped_at)
    served = answered_by(OUT / "nginx-access.log", f"127.0.0.1:{ports[1]}")
    everything = sum(int(n) for n in nginx_figures["statuses"].values())
    # The app CPU of the surviving server over its requests; the database's over all.
    cost.update(
        requests=served,
        all_requests=everything,
        app_cpu_ms_per_request=round(1000 * cost["app_cpu_s"] / max(served, 1), 1),
        db_cpu_ms_per_request=round(1000 * cost["db_cpu_s"] / max(everything, 1), 1),
    )
    from bench.scoring import machine

    requests = read_locust(OUT / "locust")
    failed = []
    if saves["lost"] or saves["latest_not_stored"]:
        failed.append("accepted saves lost")
    if saves["refusals_with_wrong_status"]:
        failed.append("refusals not answered 409/422")
    if saves["invalid_values_stored"]:
        failed.append("invalid values stored")
    if nginx_figures["answers_500"]:
        failed.append("answers 500")
    if not saves["accepted"]:
        failed.append("no save accepted")
    summary = {
        "users": users,
        "duration_s": total,
        "workers_per_server": workers,
        "clusters_per_province": clusters,
        "stop": {
            "signal": f"SIG{stop_signal}",
            "server": f"127.0.0.1:{ports[0]}",
            "after_s": round(stopped_at - started),
        },
        "requests": requests,
        "surviving_server": cost,
        "saves": saves,
        "nginx": nginx_figures,
        "machine": machine(),
        "code": code_state(),
        "passed": not failed,
        "failed_checks": failed,
    }
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    print_summary(summary)
    if os.environ.get("LOAD_KEEP") != "1":
        shutil.rmtree(work, ignore_errors=True)
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
