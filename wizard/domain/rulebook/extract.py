"""A Babel extractor for the rules: every piece of text a person can see.

Registered in babel.cfg, so `make translations-update` puts questions,
options, approaches, organisations, reasons, cautions and notes into the same
catalogues as the interface. Codes, ids, quotes from the source documents,
URLs and phone numbers are never extracted, and neither are the talking prompts
for intake staff (`prompt`): the staff console is in English only.
"""

from __future__ import annotations

from collections.abc import Iterator

from wizard.domain.rulebook.yamlsource import LineDict, LineList, _LineLoader

# Keys whose values are shown to people (strings, lists of strings, or myself/someone_else pairs).
TRANSLATABLE = {
    "text",
    "summary",
    "help",
    "error",
    "why_we_ask",
    "label",
    "hint",
    "name",
    "what_to_expect",
    "evidence",
    "cautions",
    "how_to_start",
    "gaps",
    "where",
    "description",
    "reason",
    "note",
    "hours",
    "cost",
    "disclosure",
    "steps",
    "publisher",
    "reach_none",
    "run_by",
    "covers",
}
# Values the templates word themselves (a helpline's "24/7" hours, a "free" cost),
# and numbers (a helpline's text-message number shares the key "text" with questions).
NOT_TEXT = {"24/7", "free"}
# Keys read only by staff, in English: never extracted, whatever their shape.
STAFF_ONLY = {"prompt"}
# Files (by top-level section) whose names are not translated here.
SKIP_SECTIONS = {"documents", "countries", "regions"}


def _strings(value: object, line: int) -> Iterator[tuple[int, str]]:
    if isinstance(value, str):
        yield line, value.strip()
    elif isinstance(value, LineList):
        for item in value:
            yield from _strings(item, value.line)
    elif isinstance(value, LineDict):
        for key in ("myself", "someone_else"):
            if isinstance(value.get(key), str):
                yield value.line_of(key), value[key].strip()


def _walk(node: object, where: str) -> Iterator[tuple[int, str, str]]:
    if isinstance(node, LineDict):
        label = node.get("id") or node.get("code") or node.get("country")
        here = f"{where} {label}" if isinstance(label, str) else where
        for key, value in node.items():
            if key in STAFF_ONLY:
                continue
            if key in TRANSLATABLE and not (isinstance(value, LineDict) and "myself" not in value):
                for line, text in _strings(value, node.line_of(key)):
                    yield line, text, f"{here}: {key}"
            elif isinstance(value, (LineDict, LineList)):
                yield from _walk(value, here)
    elif isinstance(node, LineList):
        for item in node:
            yield from _walk(item, where)


def extract_rules(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, None, str, list[str]]]:
    loader = _LineLoader(fileobj.read().decode("utf-8"))
    try:
        data = loader.get_single_data()
    finally:
        loader.dispose()
    if not isinstance(data, LineDict):
        return
    for section, items in data.items():
        if section in SKIP_SECTIONS:
            continue
        for line, text, context in _walk(items, section):
            if text and text not in NOT_TEXT and not text.replace(" ", "").isdigit():
                yield line, None, text, [context]
