"""A tiny "browser" over the Flask test client that checks every page it fetches.

Every HTML page must: parse as HTML5 without errors, have exactly one <h1>,
a neutral <title> (wizard/platform/titles.py, after an optional "Error: "; a staff page's starts with its h1), no
duplicate ids, labels that point at real controls, and the safety features
every page carries (crisis line, quick exit). Pages are collected so a
later test can run them all through the Nu Html Checker.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

import html5lib

from wizard.platform import titles
from wizard.platform.i18n import babel_id, catalogue_for

CHECKED_PAGES: dict[str, str] = {}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_fors: list[str] = []
        self.h1s: list[str] = []
        self.title = ""
        self._in = None
        self._text: list[str] = []
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.inputs: list[dict] = []
        self.described: list[str] = []
        self.inline: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if "style" in a or (tag == "script" and "src" not in a):
            self.inline.append(tag)
        if tag == "label" and "for" in a:
            self.label_fors.append(a["for"])
        for key in ("aria-describedby", "aria-labelledby"):
            if key in a:
                self.described.extend(a[key].split())
        if tag in ("h1", "title"):
            self._in, self._text = tag, []
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower()})
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("input", "select", "textarea", "button"):
            self.inputs.append({"tag": tag, **a})

    def handle_endtag(self, tag):
        if tag == self._in:
            text = " ".join("".join(self._text).split())
            if tag == "h1":
                self.h1s.append(text)
            else:
                self.title = text
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._text.append(data)


@dataclass
class Page:
    url: str
    status: int
    html: str
    headers: dict
    parsed: _Collector = field(repr=False)

    @property
    def h1(self) -> str:
        return self.parsed.h1s[0]

    @property
    def title(self) -> str:
        return self.parsed.title

    def csrf_token(self) -> str:
        match = re.search(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"', self.html)
        assert match, f"no CSRF token on {self.url}"
        return match.group(1)

    def text(self) -> str:
        body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", self.html, flags=re.S)
        return " ".join(re.sub(r"<[^>]+>", " ", body).split())

    def has_error_summary(self) -> bool:
        return 'id="error-summary"' in self.html


def check_page(url: str, status: int, html: str, headers) -> Page:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        parser.parse(html)
    except html5lib.html5parser.ParseError as exc:  # pragma: no cover - failure path
        raise AssertionError(f"{url}: HTML does not parse cleanly: {exc}") from exc
    collected = _Collector()
    collected.feed(html)
    assert html.lstrip().lower().startswith("<!doctype html>"), f"{url}: no doctype"
    assert len(collected.h1s) == 1, f"{url}: expected one h1, found {collected.h1s}"
    dupes = {i for i in collected.ids if collected.ids.count(i) > 1}
    assert not dupes, f"{url}: duplicate ids {dupes}"
    missing = [f for f in collected.label_fors if f not in collected.ids]
    assert not missing, f"{url}: labels point at missing ids {missing}"
    dangling = [d for d in collected.described if d not in collected.ids]
    assert not dangling, f"{url}: aria references to missing ids {dangling}"
    has_errors = 'id="error-summary"' in html
    h1, title = collected.h1s[0], collected.title
    if has_errors:
        # "Error: " in English, "Erreur : " in French...: a word and a colon before the h1.
        prefix, colon, rest = title.partition(":")
        assert colon and len(prefix) < 12, f"{url}: a page with errors needs an 'Error:' title prefix"
        title = rest.strip()
        if '<html lang="en"' in html:
            assert collected.title.startswith("Error: "), f"{url}: title must start 'Error: '"
    if urlsplit(url).path.startswith("/staff"):
        assert title.startswith(h1), f"{url}: title {collected.title!r} does not start with h1 {h1!r}"
    else:
        lang = re.search(r'<html lang="([a-zA-Z-]+)"', html)
        assert lang, f"{url}: no lang on <html>"
        assert title_is_neutral(title, lang.group(1), h1, status), (
            f"{url}: title {collected.title!r} is not one of the neutral titles (wizard/platform/titles.py)"
        )
    # The staff console is not for the public: it has no quick exit or crisis line.
    if not urlsplit(url).path.startswith("/staff"):
        assert re.search(r'id="quick-exit" href="[^"]*/exit(\?s=[A-Za-z0-9_-]{22})?"', html), (
            f"{url}: no quick exit link"
        )
        # The crisis line, in whatever language the page is in, with its link to urgent help.
        assert '<aside class="crisis"' in html, f"{url}: no crisis line"
        assert re.search(r'href="[^"]*/help-now"', html), f"{url}: no link to urgent help"
    for link in collected.links:
        assert not link.startswith("http://"), f"{url}: insecure link {link}"
    assert collected.inline == [], f"{url}: inline script or style on {collected.inline}"
    CHECKED_PAGES[f"{status}-{url}"] = html
    return Page(url, status, html, dict(headers), collected)


def _catalogue(lang: str):
    # The app's own loader: a catalogue that only overrides another (pt-PT) falls back to it.
    return catalogue_for(babel_id(lang))


def translated(lang: str, msgid: str) -> str:
    """The catalogue's translation, with white space folded as the page check folds a title."""
    return " ".join(_catalogue(lang).gettext(msgid).split())


def title_is_neutral(title: str, lang: str, h1: str, status: int) -> bool:
    """A public page's title (after any "Error:"): one of the few neutral titles in the page's language,
    then the brand, or the brand alone. An error page (4xx, 5xx) may use its own heading, which says
    what went wrong with the request."""
    brand = translated(lang, titles.BRAND)
    if title == brand:
        return True
    own, separator, rest = title.rpartition(" – ")
    if not separator or rest != brand:
        return False
    if own in {translated(lang, msgid) for msgid in titles.NEUTRAL_TITLES if msgid}:
        return True
    question = re.escape(translated(lang, titles.QUESTION))
    for name in ("number", "total"):
        question = question.replace(re.escape(f"%({name})s"), r"\d+")
    if re.fullmatch(question, own):
        return True
    return status >= 400 and own == h1


class Browser:
    """Follows redirects like a browser, and checks each HTML page on the way."""

    def __init__(self, client):
        self.client = client
        self.history: list[str] = []

    def _finish(self, response, url: str) -> Page | object:
        while response.status_code in (301, 302, 303, 307, 308):
            url = response.location
            if url.startswith("http"):
                return response  # left the site
            response = self.client.get(url)
        self.history.append(url)
        if response.mimetype != "text/html":
            return response
        return check_page(url, response.status_code, response.get_data(as_text=True), response.headers)

    def get(self, url: str, **kwargs):
        return self._finish(self.client.get(url, **kwargs), url)

    def post(self, url: str, data=None, **kwargs):
        return self._finish(self.client.post(url, data=data, **kwargs), url)

    def answer(self, page: Page, values) -> Page:
        """Submit the form on a question page with the given value(s)."""
        action = next(f["action"] for f in page.parsed.forms if f["method"] == "post")
        qid = action.split("?")[0].rsplit("/", 1)[1]
        data = {"csrf_token": page.csrf_token()}
        if values is not None:
            data[qid] = values
        return self.post(action, data=data)
