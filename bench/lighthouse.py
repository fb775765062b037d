"""`make lighthouse`: Lighthouse's scores and the bytes transferred on the main pages, against
the production serving stack (docs/performance.md, "Light pages").

1. its own PostgreSQL database, thidua_lighthouse (LIGHTHOUSE_DATABASE_URL picks another; it
   must be a PostgreSQL database named with "lighthouse"): migrated and seeded with the demo
   (seed_demo, with its demo accounts) when it has no demo yet; --reseed starts over;
2. collectstatic into a temporary folder with DEBUG off (WhiteNoise's manifest storage: hashed
   names, compressed copies), then gunicorn (deploy/gunicorn.conf.py) with DEBUG off on
   127.0.0.1, serving the static files through WhiteNoise, over plain HTTP;
3. each page is loaded by Lighthouse (npm devDependency, pinned; Chromium from the system,
   CHROME_PATH, /usr/bin/chromium by default), mobile form factor with Lighthouse's default
   throttling, signed in as the right demo user (its session cookie through --extra-headers):
   home and the sheet as the unit officer, the grid and the ranking as the cluster leader, the
   campaign overview as the province staff. A first visit (empty cache), then a repeat visit
   (the same browser profile, storage not reset: what the cache keeps is not fetched again);
4. prints the scores and the bytes transferred, and writes every report's JSON and a summary
   under bench-results/lighthouse/.

Not part of `make test`.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.load.run import free_port, start_gunicorn, stop, wait_for

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-results" / "lighthouse"
PY = str(ROOT / ".venv" / "bin" / "python")
LIGHTHOUSE = ROOT / "node_modules" / ".bin" / "lighthouse"
SECRET = "lighthouse-only-not-a-secret-0123456789abcdefghijklmnop"
CATEGORIES = ("performance", "accessibility", "best-practices")
# The pages: name, demo user, how its path is found (see page_paths).
PAGES = [
    ("home", "donvi"),
    ("sheet", "donvi"),
    ("grid", "cumtruong"),
    ("ranking", "cumtruong"),
    ("overview", "canbo"),
]
# Where the demo's pages are: the sheet and the overview in the year open for
# self-assessment (the latest); the grid (cluster scoring) and the ranking (final review) of the
# demo accounts' cluster (cluster 4) in the published year (the first), where they are full.
PATHS_SCRIPT = """
import json
from django.urls import reverse
from scoring.models import Campaign, Cluster
latest = Campaign.objects.order_by("-year").first()
published = Campaign.objects.order_by("year").first()
cluster = Cluster.objects.filter(campaign=published, name__endswith=" 4").get()
print(json.dumps({
    "home": reverse("home"),
    "sheet": reverse("my_sheet"),
    "grid": reverse("grid", args=[cluster.pk, "cluster"]),
    "ranking": reverse("ranking", args=[cluster.pk, "final"]),
    "overview": reverse("campaign_overview", args=[latest.pk]),
}))
"""


def say(message: str) -> None:
    print(f"lighthouse: {message}", flush=True)


def database_url() -> str:
    url = os.environ.get("LIGHTHOUSE_DATABASE_URL")
    if url:
        return url
    dev = os.environ.get("DATABASE_URL", "")
    if dev.startswith(("postgres://", "postgresql://")):
        return urlunsplit(urlsplit(dev)._replace(path="/thidua_lighthouse"))
    return "postgres://postgres@127.0.0.1:5432/thidua_lighthouse"


def app_environment(url: str, static_root: Path, media_root: Path) -> dict[str, str]:
    """Production's settings (DEBUG off) over plain HTTP on 127.0.0.1."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "DJANGO_"))}
    env.pop("REDIS_URL", None)
    env.update(
        DATABASE_URL=url,
        DEBUG="0",
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        STATIC_ROOT=str(static_root),
        MEDIA_ROOT=str(media_root),
        LOG_LEVEL="WARNING",
    )
    return env


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"lighthouse: manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def prepare(url: str, env: dict[str, str], reseed: bool) -> dict[str, str]:
    from bench.scoring import ensure_database

    ensure_database(url, drop=reseed, word="lighthouse")
    say("migrate")
    manage(env, "migrate", "--noinput", "-v0")
    # DEBUG on for this one command only: seed_demo makes the demo accounts only then.
    found = subprocess.run(
        [PY, "manage.py", "shell", "-v0", "-c", PATHS_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if found.returncode == 0:
        paths = json.loads(found.stdout)
    else:
        say("seed_demo (a few minutes, once)")
        manage({**env, "DEBUG": "1"}, "seed_demo")
        paths = json.loads(manage(env, "shell", "-v0", "-c", PATHS_SCRIPT))
    say("collectstatic (DEBUG off: hashed names, compressed copies)")
    manage(env, "collectstatic", "--noinput", "--clear", "-v0")
    return paths


def sign_in(base: str, username: str) -> str:
    """The session cookie of a demo user, through the login form as a browser would."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    page = opener.open(f"{base}/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    form = {"csrfmiddlewaretoken": token, "username": username}
    form["password"] = f"demo-{username}-2023"
    request = urllib.request.Request(
        f"{base}/login/",
        data=urllib.parse.urlencode(form).encode(),
        headers={"Referer": f"{base}/login/"},
    )
    opener.open(request).read()
    cookies = {c.name: c.value for c in jar}
    if "sessionid" not in cookies:
        sys.exit(f"lighthouse: {username} could not sign in")
    return f"sessionid={cookies['sessionid']}"


def static_headers(base: str, cookie: str, path: str) -> dict[str, str]:
    """The headers WhiteNoise sends with the page's stylesheet (a hashed name): its cache
    lifetime and its compression."""
    page = (
        urllib.request.urlopen(urllib.request.Request(base + path, headers={"Cookie": cookie}))
        .read()
        .decode()
    )
    href = re.search(r'href="(/static/build/bootstrap\.[0-9a-f]+\.css)"', page).group(1)
    request = urllib.request.Request(base + href, headers={"Accept-Encoding": "br, gzip"})
    with urllib.request.urlopen(request) as response:
        return {
            "url": href,
            "cache-control": response.headers.get("Cache-Control", ""),
            "content-encoding": response.headers.get("Content-Encoding", ""),
        }


def lighthouse(url: str, cookie: str, report: Path, profile: Path, *, repeat: bool) -> dict:
    args = [
        str(LIGHTHOUSE),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--extra-headers={json.dumps({'Cookie': cookie})}",
        f"--chrome-flags=--headless=new --no-sandbox --user-data-dir={profile}",
    ]
    if repeat:
        args.append("--disable-storage-reset")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    # Lighthouse sometimes loses a trace ("NO_NAVSTART", a Chromium timing race): one retry.
    if subprocess.run(args, cwd=ROOT, env=env, check=False).returncode != 0:
        subprocess.run(args, cwd=ROOT, env=env, check=True)
    data = json.loads(report.read_text(encoding="utf-8"))
    requests = data["audits"]["network-requests"]["details"]["items"]
    return {
        "url": data["finalDisplayedUrl"],
        "scores": {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES},
        "transferred_bytes": sum(int(r.get("transferSize") or 0) for r in requests),
        "requests": len(requests),
        "lcp_ms": round(data["audits"]["largest-contentful-paint"]["numericValue"]),
        "tbt_ms": round(data["audits"]["total-blocking-time"]["numericValue"]),
        "cls": round(data["audits"]["cumulative-layout-shift"]["numericValue"], 3),
    }


def main() -> int:
    if not LIGHTHOUSE.exists():
        sys.exit("lighthouse: node_modules/.bin/lighthouse is missing: run make install")
    OUT.mkdir(parents=True, exist_ok=True)
    url = database_url()
    work = Path(tempfile.mkdtemp(prefix="thidua-lighthouse-"))
    env = app_environment(url, work / "static", work / "media")
    paths = prepare(url, env, "--reseed" in sys.argv[1:])
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_gunicorn(port, env, 2, work)
    results = []
    try:
        wait_for(f"{base}/healthz")
        cookies = {user: sign_in(base, user) for user in {u for _, u in PAGES}}
        headers = static_headers(base, cookies["donvi"], paths["sheet"])
        say(
            f"{headers['url']}: Cache-Control {headers['cache-control']!r}, "
            f"Content-Encoding {headers['content-encoding']!r}"
        )
        for name, user in PAGES:
            profile = work / f"profile-{name}"
            for visit in ("first", "repeat"):
                say(f"{name} as {user}: {visit} visit")
                report = OUT / f"{name}-{visit}.json"
                result = lighthouse(
                    base + paths[name], cookies[user], report, profile, repeat=visit == "repeat"
                )
                results.append({"page": name, "user": user, "visit": visit, **result})
    finally:
        stop(server)
        shutil.rmtree(work, ignore_errors=True)
    summary = {"static_headers": headers, "pages": results}
    (OUT / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    print(
        f"{'page':<9} {'visit':<6} {'perf':>4} {'a11y':>4} {'best':>4} {'KB':>7} {'req':>4} "
        f"{'LCP ms':>6} {'TBT ms':>6} {'CLS':>5}"
    )
    for r in results:
        s = r["scores"]
        print(
            f"{r['page']:<9} {r['visit']:<6} {s['performance']:>4} {s['accessibility']:>4} "
            f"{s['best-practices']:>4} {r['transferred_bytes'] / 1024:>7.1f} {r['requests']:>4} "
            f"{r['lcp_ms']:>6} {r['tbt_ms']:>6} {r['cls']:>5}"
        )
    say(f"reports in {OUT.relative_to(ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
