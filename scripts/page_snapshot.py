"""Render the same pages for the same answers and write them to a folder, to compare two versions.

    python scripts/page_snapshot.py OUT_DIR

Every page a visitor can reach without a call-back or a share code being made: the start and
information pages, each question, check answers, results, reach out, help now, the plan and the
one-page form, for several answer sets, in every language, at the site root, in a partner's embed
and under a path prefix; and the API's answers. Values made fresh per form (the CSRF token, the
call-back form's one-time key) are blanked. `diff -r BEFORE AFTER` then shows every changed byte.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.answers import FULL

OVERRIDES = {"TESTING": True, "SECRET_KEY": "snapshot", "EXIT_URL": "https://example.org/weather"}
TOKEN = re.compile(r'name="(csrf_token|form_key)"(?: type="hidden")? value="[^"]+"')
# Sealed afresh on every page: the quick exit's one-time value, share codes and their QR pictures.
FRESH = [
    (re.compile(r"exit\?s=[\w-]+"), "exit?s="),
    (re.compile(r"/shared/[\w-]{20,}"), "/shared/CODE"),
    (re.compile(r'(<svg role="img" aria-label="[^"]*" viewBox="[^"]*" class="qr">).*?</svg>', re.S), r"\1</svg>"),
]
COOKIE_VALUE = re.compile(r"=[^;]*")
LANGUAGES = ("en", "es", "pt", "fr", "ar")
ANSWER_SETS = {
    "full": FULL,
    "family-in": {**FULL, "who": "someone_else", "country": "IN", "faith": "faith_based", "setting": "inpatient"},
    "unsaid": {**FULL, "country": "prefer_not_to_say", "medication": "not_open", "needs": ["women_childcare"]},
    "crisis": {**FULL, "danger": "danger_now"},
    "br-alcohol": {**FULL, "country": "BR", "substances": ["alcohol"], "injecting": "never", "support": []},
}
JOURNEY_PAGES = ["/check-answers", "/results", "/reach-out", "/help-now", "/plan", "/all-questions", "/"]
STATIC_PAGES = [
    "/",
    "/privacy",
    "/accessibility",
    "/staying-safe-online",
    "/help-now",
    "/questions/who",
    "/all-questions",
    "/partners",
    "/approaches/medication-assisted-treatment",
    "/no-such-page",
]
OTHER = ["/staff/sign-in", "/staff/", "/staff/guide", "/staff/no-such", "/healthz", "/embed/v1/loader.js"]
API = ["/api/v1/questions", "/api/v1/approaches", "/api/v1/organisations", "/api/v1/", "/api/v1/no-such"]


def build():
    import wizard

    make = getattr(wizard, "create_site", None) or wizard.create_app
    return make(OVERRIDES)


def text(response) -> str:
    body = TOKEN.sub(r'name="\1" value=""', response.get_data(as_text=True))
    for pattern, blank in FRESH:
        body = pattern.sub(blank, body)
    return body


def save(out: Path, name: str, response) -> None:
    path = out / (re.sub(r"[^A-Za-z0-9.-]+", "_", name.strip("/")) or "root")
    headers = "".join(
        f"{k}: {v}\n"
        for k, v in sorted(response.headers.items())
        if k
        not in ("Set-Cookie", "Date", "Content-Length", "X-Request-ID", "X-RateLimit-Reset", "Expires", "Retry-After")
    )
    # A cookie's name and attributes, never its value.
    cookies = "".join(
        f"Set-Cookie: {COOKIE_VALUE.sub('=', c, count=1)}\n" for c in response.headers.getlist("Set-Cookie")
    )
    path.write_text(f"{response.status_code}\n{headers}{cookies}\n{text(response)}")


def walk(client: Client, base: str, answers: dict) -> None:
    response = client.get(f"{base}/questions", follow_redirects=True)
    for _ in range(30):
        path = response.request.path
        if "/questions/" not in path:
            return
        page = response.get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        qid = path.rsplit("/", 1)[1]
        data = {"csrf_token": token}
        if answers.get(qid) is not None:
            data[qid] = answers[qid]
        response = client.post(response.request.url, data=data, follow_redirects=True)
    raise AssertionError(f"the journey does not end at {path}")


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    application = build()
    prefixed = DispatcherMiddleware(NotFound(), {"/prefix": application})
    for where, app, base in (
        ("root", application, ""),
        ("embed", application, "/embed/example"),
        ("prefix", prefixed, "/prefix"),
    ):
        for lang in LANGUAGES:
            client = Client(app)
            for path in STATIC_PAGES:
                if where == "embed" and path in ("/partners",):
                    continue
                save(out, f"{where}-{lang}-static{path}", client.get(f"{base}{path}?lang={lang}"))
            for name, answers in ANSWER_SETS.items():
                client = Client(app)
                client.get(f"{base}/?lang={lang}")
                walk(client, base, answers)
                for path in JOURNEY_PAGES:
                    save(out, f"{where}-{lang}-{name}{path}", client.get(f"{base}{path}"))
    client = Client(application)
    for path in OTHER + API:
        save(out, f"get{path}", client.get(path))
    for name, answers in ANSWER_SETS.items():
        save(out, f"api-match-{name}", client.post("/api/v1/match", json={"answers": answers}))
        save(out, f"api-match-{name}-es", client.post("/api/v1/match?lang=es", json={"answers": answers}))
    print(f"{len(list(out.iterdir()))} responses in {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
