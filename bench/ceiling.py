"""The template ceiling: a minimal Flask app that renders one static Jinja page the size of the results page.

`gunicorn bench.ceiling:app`, started like the wizard (bench/server.py) and with the
wizard's compression (wizard/platform/compression.py). What the wizard's pages cost
beyond this is the wizard's own work (rules, the directory, the session, headers,
logging); the cost of rendering and compressing a page of that size is in both.

The page is a copy of a rendered results page (so it compresses as the real one does),
its CSRF token blanked to a fixed text of the same length, inside `{% raw %}`, with one
variable: the main heading. bench/cpu.py fetches the real page from the server it
measures and gives its file to this app in CEILING_TEMPLATE; without it, the app renders
the results page for the FULL answers once at start-up, in a separate process so the
wizard's modules do not weigh on this one:

    python -m bench.ceiling OUT_FILE     writes the template file, from the FULL answers' results page
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from flask import Flask, render_template
from jinja2 import DictLoader

from wizard.platform import compression

TEMPLATE_ENV = "CEILING_TEMPLATE"
NAME = "page.html"
HEADING = re.compile(r"(<h1[^>]*>)([^<]*)(</h1>)")
CSRF_VALUE = re.compile(r'(name="csrf_token"(?: type="hidden")? value=")([^"]+)(")')


def template_from(html: str) -> tuple[str, str]:
    """A Jinja template of the same size as `html` whose one variable, `heading`, is its h1; and the
    heading's text, which renders the page back (but for the blanked CSRF token)."""
    if "{% endraw %}" in html:
        raise ValueError("the page holds '{% endraw %}': it cannot be kept raw")
    found = HEADING.search(html)
    if found is None:
        raise ValueError("the page has no <h1>")
    html = CSRF_VALUE.sub(lambda m: m.group(1) + "x" * len(m.group(2)) + m.group(3), html)
    found = HEADING.search(html)
    before, after = html[: found.start(2)], html[found.end(2) :]
    template = "{% raw %}" + before + "{% endraw %}{{ heading }}{% raw %}" + after + "{% endraw %}"
    return template, found.group(2)


def results_page() -> str:
    """The results page for the FULL answers, rendered in this process (the app in production mode)."""
    from tests.support.answers import FULL
    from tests.support.journey import walk
    from tests.support.pages import Browser

    from .in_process import over_https, production_app

    with tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder:
        client = over_https(production_app(Path(folder)).test_client())
        walk(Browser(client), FULL)
        response = client.get("/results")
        if response.status_code != 200:
            raise RuntimeError(f"the results page answered {response.status_code}")
        return response.get_data(as_text=True)


def write_template(html: str, path: Path) -> None:
    template, heading = template_from(html)
    path.write_text(heading + "\n" + template, encoding="utf-8")


def _load() -> tuple[str, str]:
    """The template and its heading: from CEILING_TEMPLATE, or made now from a freshly rendered page."""
    given = os.environ.get(TEMPLATE_ENV)
    if given:
        text = Path(given).read_text(encoding="utf-8")
    else:
        with tempfile.TemporaryDirectory(prefix="wizard-bench-") as folder:
            path = Path(folder) / NAME
            subprocess.run([sys.executable, "-m", "bench.ceiling", str(path)], check=True, timeout=300)
            text = path.read_text(encoding="utf-8")
    heading, _, template = text.partition("\n")
    return template, heading


def create_app() -> Flask:
    template, heading = _load()
    app = Flask(__name__)
    app.jinja_loader = DictLoader({NAME: template})
    compression.init_app(app)

    @app.get("/")
    def page() -> str:
        return render_template(NAME, heading=heading)

    return app


def __getattr__(name: str) -> Flask:
    """`app`, made on first use: importing this module for its functions (bench/cpu.py) builds nothing."""
    if name != "app":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    made = globals()["app"] = create_app()
    return made


if __name__ == "__main__":
    write_template(results_page(), Path(sys.argv[1]))
