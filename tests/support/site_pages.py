"""Every kind of public page, error states included, and the Nu Html Checker that reads them."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.answers import FULL
from tests.support.callbacks import send
from tests.support.journey import walk
from wizard.domain.share_codes import DAY, make_code

ROOT = Path(__file__).resolve().parents[2]


VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def collect_pages(browser) -> dict[str, str]:
    pages: dict[str, str] = {}

    def keep(name, page):
        pages[name] = page.html

    keep("start", browser.get("/"))
    page = browser.get("/questions")
    keep("question-who", page)
    keep("question-who-error", browser.answer(page, None))
    page = browser.answer(browser.get("/questions/who"), "someone_else")
    keep("question-country", page)
    keep("question-country-error", browser.answer(page, None))
    answers = dict(FULL, who="someone_else")
    page, _ = walk(browser, answers)
    keep("check-answers", page)
    keep("question-needs-change", browser.get("/questions/needs?change=1"))
    keep("question-needs-error", browser.answer(browser.get("/questions/needs"), ["cost", "prefer_not_to_say"]))
    keep("results", browser.get("/results"))
    collect_share_pages(browser, keep)
    page = browser.get("/reach-out")
    keep("reach-out", page)
    keep("reach-out-errors", send(browser, page, name="", phone="12", consent=None, for_whom="someone_else"))
    keep("reach-out-requested", send(browser, browser.get("/reach-out")))
    keep("reach-out-again", browser.get("/reach-out"))
    keep("approach", browser.get("/approaches/medication-assisted-treatment"))
    for path in ("/help-now", "/staying-safe-online", "/privacy", "/accessibility", "/cookies-off", "/nope"):
        keep(path.strip("/"), browser.get(path))
    for name, path in (("partners", "/partners"), ("embed-start", "/embed/example/"), ("api-docs", "/api/v1/docs")):
        keep(name, browser.get(path))
    keep("results-arabic", browser.get("/results?lang=ar"))
    keep("start-french", browser.get("/?lang=fr"))
    browser.get("/?lang=en")
    page = browser.get("/all-questions")
    keep("one-page", page)
    keep("one-page-errors", browser.post("/all-questions", data={"csrf_token": page.csrf_token()}))
    keep("one-page-results", browser.post("/all-questions", data={"csrf_token": page.csrf_token(), **FULL}))
    return pages


def collect_share_pages(browser, keep) -> None:
    """The share page, a shared link and both plans, and the pages for a link that does not work."""
    app = browser.client.application
    page = browser.get("/results/share")
    keep("share", page)
    link = re.search(r'id="share-link" type="text" value="http://localhost([^"]+)"', page.html).group(1)
    keep("plan", browser.get("/plan"))
    keep("shared-results", browser.get(link))
    keep("shared-plan", browser.get(link + "/plan"))
    keep("shared-plan-arabic", browser.get(link + "/plan?lang=ar"))
    browser.get("/?lang=en")
    keep("shared-invalid", browser.get(link[:-2]))
    journey = app.extensions["services"].journey
    expired = make_code(journey, FULL, app.config["SECRET_KEY"], now=time.time() - 40 * DAY)
    keep("shared-expired", browser.get(f"/shared/{expired}"))


def html_problems(pages: dict[str, str], folder: Path) -> list[str]:
    """Every error and warning the Nu Html Checker finds in these pages (name -> HTML)."""
    if shutil.which("java") is None or not VNU.exists():
        pytest.fail("The Nu Html Checker is not installed: run `make test`, which installs it.")
    files = []
    for name, html in pages.items():
        path = folder / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    run = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--format", "json", "--also-check-svg", *files],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    messages = json.loads(run.stderr or "{}").get("messages", [])
    return [
        f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['type']}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "warning"
    ]


ASSET = re.compile(r'<(?:link|script|img|source)\b[^>]*?(?:href|src)="([^"]+)"')
