"""Load the rules folder into a frozen Rulebook, or explain every problem.

Errors name the file, the item and the line, in words an editor can act on.
Nothing is half-loaded: either the whole rulebook is valid, or loading
raises RulebookError with the full list of problems.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import phonenumbers
from phonenumbers import shortnumberinfo
from pydantic import BaseModel, ValidationError

from wizard.domain.rulebook.conditions import Answered as AnsweredCond
from wizard.domain.rulebook.conditions import AnyIn, Cond, Equals, In
from wizard.domain.rulebook.models import (
    EVIDENCE_WORDS,
    PLACE_KINDS,
    Approach,
    Country,
    CountryContacts,
    Document,
    FamilySupport,
    Finder,
    NotEffective,
    Organisation,
    Question,
    Region,
    Rule,
    Rulebook,
    SafetyNote,
)
from wizard.domain.rulebook.yamlsource import LineDict, LineList, line_at, load_yaml
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY, REGION

# file name -> list of (top-level key, model of each item)
FILES: dict[str, tuple[tuple[str, type[BaseModel]], ...]] = {
    "documents.yaml": (("documents", Document),),
    "questions.yaml": (("questions", Question),),
    "countries.yaml": (("regions", Region), ("countries", Country)),
    "approaches.yaml": (("approaches", Approach),),
    "organisations.yaml": (("organisations", Organisation),),
    "not_effective.yaml": (("not_effective", NotEffective),),
    "rules.yaml": (("rules", Rule),),
    "contacts.yaml": (("contacts", CountryContacts),),
    "safety.yaml": (("notes", SafetyNote),),
    "finders.yaml": (("finders", Finder),),
    "family_support.yaml": (("family_support", FamilySupport),),
}

# Safety notes that pages show by id, whatever the answers.
REQUIRED_SAFETY_NOTES = frozenset({"overdose-first-aid"})


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    item: str
    message: str

    def __str__(self) -> str:
        where = self.file + (f", line {self.line}" if self.line else "")
        what = f" ({self.item})" if self.item else ""
        return f"{where}{what}: {self.message}"


class RulebookError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the rules:\n" + "\n".join(f"  - {p}" for p in problems))


def _friendly(error: dict) -> str:
    loc = [str(part) for part in error["loc"] if not isinstance(part, int)]
    field = loc[-1] if loc else "this item"
    kind = error["type"]
    if kind == "missing":
        return f"'{field}' is missing"
    if kind == "extra_forbidden":
        return f"'{field}' is not a known field here (check the spelling)"
    if kind in ("string_type", "bool_type"):
        want = "text" if kind == "string_type" else "true or false"
        return f"'{field}' should be {want}, not {error['input']!r}"
    if kind == "literal_error":
        return f"'{field}' must be one of {error['ctx']['expected']}, not {error['input']!r}"
    if kind == "string_pattern_mismatch" and str(error["input"]).startswith("http://"):
        return f"'{field}' must be an https:// address, not {error['input']!r}"
    if kind == "string_pattern_mismatch":
        return f"'{field}' has the wrong form: {error['input']!r}"
    if kind in ("too_short", "tuple_type", "list_type"):
        return f"'{field}' needs a list with at least one entry"
    if kind == "value_error":
        return (
            f"'{field}': {error['msg'].removeprefix('Value error, ')}"
            if loc
            else error["msg"].removeprefix("Value error, ")
        )
    return f"'{field}': {error['msg']}"


def _item_name(raw: object) -> str:
    if isinstance(raw, dict):
        for key in ("id", "code", "country"):
            if isinstance(raw.get(key), str):
                return f"{key} {raw[key]!r}"
    return ""


def _item_at_line(data: object, line: int) -> str:
    """Name the list item a line belongs to, so a YAML-level problem names its item."""
    if not isinstance(data, LineDict):
        return ""
    for items in data.values():
        if isinstance(items, LineList):
            starts = [(getattr(raw, "line", 0), raw) for raw in items]
            for (start, raw), (next_start, _) in zip(starts, [*starts[1:], (10**9, None)], strict=True):
                if start <= line < next_start:
                    return _item_name(raw)
    return ""


class _ProblemCollector:
    """Collects problems while validating one folder."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, item: str, message: str) -> None:
        self.problems.append(Problem(file, line, item, message))

    def read(self, file: str) -> dict[str, list]:
        data, yaml_problems = load_yaml(self.folder / file)
        for yp in yaml_problems:
            self.problem(file, yp.line, _item_at_line(data, yp.line), yp.message)
        sections = FILES[file]
        out: dict[str, list] = {key: [] for key, _ in sections}
        if data is None:
            return out
        if not isinstance(data, LineDict):
            self.problem(
                file, getattr(data, "line", 1), "", f"expected a mapping with {', '.join(k for k, _ in sections)}"
            )
            return out
        for key in data:
            if key not in out:
                self.problem(file, data.line_of(key), "", f"unknown section '{key}'")
        for key, model in sections:
            items = data.get(key)
            if not isinstance(items, LineList):
                self.problem(file, data.line_of(key) if key in data else 1, "", f"'{key}' must be a list")
                continue
            for raw in items:
                try:
                    out[key].append((model.model_validate(raw), raw))
                except ValidationError as exc:
                    errors = exc.errors()
                    for err in errors:
                        # A list whose only entry was wrong is also reported as too short: say the real mistake once.
                        if err["type"] == "too_short" and any(
                            other["loc"][: len(err["loc"])] == err["loc"] and other is not err for other in errors
                        ):
                            continue
                        self.problem(file, line_at(raw, err["loc"]), _item_name(raw), _friendly(err))
        return out


@dataclass
class _ReferenceIndex:
    """Lookups used by the cross-reference checks."""

    questions: dict[str, Question]
    order: dict[str, int]
    regions: set[str]
    countries: set[str]
    approaches: set[str]
    organisations: set[str]
    documents: dict[str, Document]

    def codes_for(self, answer: str) -> set[str] | None:
        if answer == REGION:
            return self.regions
        question = self.questions.get(answer)
        if question is None:
            return None
        if question.kind in PLACE_KINDS:
            return set()
        if question.kind == "country":
            return self.countries | {PREFER_NOT_TO_SAY}
        return {o.code for o in question.options}


def _check_condition(cond: Cond, index: _ReferenceIndex, before: int | None) -> Iterable[str]:
    """Say what is wrong with a condition's references, if anything."""
    for leaf in cond.leaves():
        name = leaf.answer
        codes = index.codes_for(name)
        if codes is None:
            yield f"the condition tests '{name}', which is not a question id (or '{REGION}')"
            continue
        tested = index.questions.get(name)
        if tested is not None and tested.kind in PLACE_KINDS:
            yield (
                f"the condition tests '{name}', a {tested.kind} question: region and town "
                "answers are private and optional, so conditions may not test them"
            )
            continue
        if before is not None:
            source = "country" if name == REGION else name
            if index.order.get(source, before) >= before:
                yield f"skip logic may only test questions asked earlier, but '{name}' is not before this question"
        if isinstance(leaf, AnsweredCond):
            continue
        values = {leaf.value} if isinstance(leaf, Equals) else leaf.values
        for code in sorted(values - codes):
            yield f"'{code}' is not an option code of '{name}'"
        multiple = name in index.questions and index.questions[name].kind == "multiple"
        if multiple and isinstance(leaf, (Equals, In)):
            yield f"'{name}' allows several answers: test it with any_in, not equals or in"
        if not multiple and isinstance(leaf, AnyIn):
            yield f"'{name}' has a single answer: test it with equals or in, not any_in"


def _duplicates(file: str, items: list, attr: str, reader: _ProblemCollector, what: str) -> None:
    seen: set[str] = set()
    for model, raw in items:
        value = getattr(model, attr)
        if value in seen:
            reader.problem(file, raw.line, f"{attr} {value!r}", f"this {what} {attr} is used twice")
        seen.add(value)


def _check_citations(
    file: str, items: list, index: _ReferenceIndex, texts: dict[str, str], reader: _ProblemCollector
) -> None:
    for model, raw in items:
        for n, citation in enumerate(model.citations):
            line = line_at(raw, ("citations", n))
            document = index.documents.get(citation.document)
            if document is None:
                reader.problem(file, line, _item_name(raw), f"citation names unknown document '{citation.document}'")
            elif citation.quote not in texts.get(document.id, ""):
                reader.problem(
                    file,
                    line,
                    _item_name(raw),
                    f"the quote is not word for word in {document.short_title!r}: {citation.quote!r}",
                )


def _plain_quotes(text: str) -> str:
    return text.translate(str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'}))


def _check_evidence(approaches: list, texts: dict[str, str], reader: _ProblemCollector) -> None:
    """An evidence label rests on words in the sources that are strong enough for it."""
    for approach, raw in approaches:
        level, basis = approach.evidence_level, approach.evidence_basis
        line = line_at(raw, ("evidence_level",))
        if level == "not_stated":
            if basis:
                reader.problem("approaches.yaml", line, _item_name(raw), "'not_stated' takes no evidence_basis")
            continue
        if not basis:
            reader.problem(
                "approaches.yaml",
                line,
                _item_name(raw),
                f"evidence_level '{level}' needs evidence_basis from the sources",
            )
            continue
        cited = [texts.get(c.document, "") for c in approach.citations]
        if not any(_plain_quotes(basis) in _plain_quotes(text) for text in cited):
            reader.problem(
                "approaches.yaml",
                line,
                _item_name(raw),
                f"evidence_basis is not word for word in a document this approach cites: {basis!r}",
            )
        words = EVIDENCE_WORDS[level]
        if not any(word in basis.lower() for word in words):
            reader.problem(
                "approaches.yaml",
                line,
                _item_name(raw),
                f"evidence_basis does not support '{level}': it needs one of {list(words)}; "
                "choose a weaker level or quote the words that support it",
            )


def _check_organisation_attributes(organisations: list, approaches: dict, reader: _ProblemCollector) -> None:
    """An organisation cannot be less faith-based or less residential than what it is linked to,
    so the exclusions that leave out an approach also leave out the places that offer only it."""
    for org, raw in organisations:
        linked = [approaches[a] for a in org.approaches if a in approaches]
        if any(a.faith == "faith_based" for a in linked) and org.faith == "secular":
            reader.problem(
                "organisations.yaml",
                line_at(raw, ("faith",)),
                _item_name(raw),
                "linked to a faith-based approach, so faith must be faith_based or either",
            )
        settings = {a.setting for a in linked if a.setting in ("inpatient", "outpatient", "either")}
        if settings == {"inpatient"} and org.setting != "inpatient":
            reader.problem(
                "organisations.yaml",
                line_at(raw, ("setting",)),
                _item_name(raw),
                "every approach it is linked to is residential, so setting must be inpatient",
            )


def _check_life_saving(rules: list, life_saving: set[str], reader: _ProblemCollector) -> None:
    for rule, raw in rules:
        if rule.exclude is None:
            continue
        for approach_id in rule.exclude.approaches:
            if approach_id in life_saving:
                reader.problem(
                    "rules.yaml",
                    line_at(raw, ("exclude", "approaches")),
                    _item_name(raw),
                    f"'{approach_id}' is life-saving (overdose prevention) and cannot be left out by a preference",
                )


def _document_texts(docs: list, folder: Path, reader: _ProblemCollector) -> dict[str, str]:
    """The text of each document (the article only, so a quote is checked against the right one)."""
    texts: dict[str, str] = {}
    whole: dict[str, str] = {}
    titles = [d.title for d, _ in docs]
    for doc, raw in docs:
        path = folder / doc.file
        if doc.file not in whole:
            try:
                whole[doc.file] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                reader.problem(
                    "documents.yaml", raw.line, f"id {doc.id!r}", f"cannot read the document file '{doc.file}'"
                )
                whole[doc.file] = ""
        text = whole[doc.file]
        start = text.find(doc.title)
        if start < 0:
            reader.problem("documents.yaml", raw.line, f"id {doc.id!r}", "the title is not in the document file")
            continue
        ends = [text.find(t, start + 1) for t in titles if t != doc.title]
        end = min([e for e in ends if e > start], default=len(text))
        texts[doc.id] = text[start:end]
    return texts


def load_rulebook(folder: Path | str) -> Rulebook:
    folder = Path(folder)
    reader = _ProblemCollector(folder)
    parts = {file: reader.read(file) for file in FILES}

    documents = parts["documents.yaml"]["documents"]
    questions = parts["questions.yaml"]["questions"]
    regions = parts["countries.yaml"]["regions"]
    countries = parts["countries.yaml"]["countries"]
    approaches = parts["approaches.yaml"]["approaches"]
    organisations = parts["organisations.yaml"]["organisations"]
    not_effective = parts["not_effective.yaml"]["not_effective"]
    rules = parts["rules.yaml"]["rules"]
    contacts = parts["contacts.yaml"]["contacts"]
    safety_notes = parts["safety.yaml"]["notes"]
    finders = parts["finders.yaml"]["finders"]
    family_support = parts["family_support.yaml"]["family_support"]

    for file, items, attr, what in (
        ("documents.yaml", documents, "id", "document"),
        ("questions.yaml", questions, "id", "question"),
        ("countries.yaml", regions, "code", "region"),
        ("countries.yaml", countries, "code", "country"),
        ("approaches.yaml", approaches, "id", "approach"),
        ("organisations.yaml", organisations, "id", "organisation"),
        ("not_effective.yaml", not_effective, "id", "item"),
        ("rules.yaml", rules, "id", "rule"),
        ("contacts.yaml", contacts, "country", "contacts"),
        ("safety.yaml", safety_notes, "id", "note"),
        ("family_support.yaml", family_support, "id", "item"),
    ):
        _duplicates(file, items, attr, reader, what)

    index = _ReferenceIndex(
        questions={q.id: q for q, _ in questions},
        order={q.id: n for n, (q, _) in enumerate(questions)},
        regions={r.code for r, _ in regions},
        countries={c.code for c, _ in countries},
        approaches={a.id for a, _ in approaches},
        organisations={o.id for o, _ in organisations},
        documents={d.id: d for d, _ in documents},
    )
    _check_questions(questions, index, reader)
    _check_places(countries, approaches, organisations, contacts, index, reader)
    _check_reach(organisations, reader)
    _check_finders(finders, index, reader)
    _check_links(organisations, not_effective, rules, index, reader)

    texts = _document_texts(documents, folder, reader)
    for file, items in (
        ("approaches.yaml", approaches),
        ("organisations.yaml", organisations),
        ("not_effective.yaml", not_effective),
        ("family_support.yaml", family_support),
    ):
        _check_citations(file, items, index, texts, reader)
    _check_family_support(family_support, index, reader)
    _check_evidence(approaches, texts, reader)
    _check_organisation_attributes(organisations, {a.id: a for a, _ in approaches}, reader)
    _check_life_saving(rules, {a.id for a, _ in approaches if a.life_saving}, reader)
    known_notes = {n.id for n, _ in safety_notes}
    for required in REQUIRED_SAFETY_NOTES - known_notes:
        reader.problem("safety.yaml", 1, "", f"the note '{required}' is required: the Get help now page shows it")
    for approach, raw in approaches:
        for note_id in approach.safety_notes:
            if note_id not in known_notes:
                reader.problem(
                    "approaches.yaml",
                    line_at(raw, ("safety_notes",)),
                    _item_name(raw),
                    f"unknown safety note '{note_id}'",
                )

    if reader.problems:
        raise RulebookError(reader.problems)

    def models(items: list) -> tuple:
        return tuple(model for model, _ in items)

    return Rulebook(
        documents=models(documents),
        questions=models(questions),
        regions=models(regions),
        countries=models(countries),
        approaches=models(approaches),
        organisations=models(organisations),
        not_effective=models(not_effective),
        rules=models(rules),
        contacts=models(contacts),
        safety_notes=models(safety_notes),
        finders=models(finders),
        family_support=models(family_support),
    )


def _check_questions(questions: list, index: _ReferenceIndex, reader: _ProblemCollector) -> None:
    file = "questions.yaml"
    if "who" not in index.questions:
        reader.problem(file, 1, "", "a question with id 'who' (myself / someone_else) is required")
    elif {o.code for o in index.questions["who"].options} != {"myself", "someone_else"}:
        reader.problem(file, 1, "id 'who'", "the 'who' question must have exactly the options myself and someone_else")
    if not any(q.kind == "country" for q, _ in questions):
        reader.problem(file, 1, "", "a question of kind 'country' is required")
    country_at = next((index.order[q.id] for q, _ in questions if q.kind == "country"), None)
    for question, raw in questions:
        if question.kind in PLACE_KINDS and (country_at is None or index.order[question.id] < country_at):
            reader.problem(
                file,
                raw.line,
                f"id {question.id!r}",
                f"a {question.kind} question must come after the country question",
            )
    for question, raw in questions:
        seen: set[str] = set()
        for n, option in enumerate(question.options):
            if option.code in seen:
                reader.problem(
                    file,
                    line_at(raw, ("options", n)),
                    f"id {question.id!r}",
                    f"option code '{option.code}' is used twice",
                )
            seen.add(option.code)
            if option.exclusive and question.kind != "multiple":
                reader.problem(
                    file,
                    line_at(raw, ("options", n)),
                    f"id {question.id!r}",
                    "'exclusive' only makes sense in a multiple-choice question",
                )
            if option.audience:
                for message in _audience_problems(question, option, index):
                    reader.problem(file, line_at(raw, ("options", n, "audience")), f"id {question.id!r}", message)
        if question.ask_if is not None:
            for message in _check_condition(question.ask_if, index, before=index.order[question.id]):
                reader.problem(file, line_at(raw, ("ask_if",)), f"id {question.id!r}", message)


def _audience_problems(question: Question, option, index: _ReferenceIndex) -> Iterable[str]:
    """An option offered to one audience only must be decided by an earlier answer to 'who', and must
    not be the only way to say something everyone may need to say."""
    if question.id == "who" or index.order.get("who", len(index.order)) > index.order[question.id]:
        yield "'audience' needs the 'who' question to be asked before this question"
    if option.crisis:
        yield "a crisis option must be offered to everyone: remove 'audience'"
    for audience in ("myself", "someone_else"):
        if len(question.options_for(audience)) < 2:
            yield f"leaves fewer than two options for {audience}"


def _check_places(
    countries: list,
    approaches: list,
    organisations: list,
    contacts: list,
    index: _ReferenceIndex,
    reader: _ProblemCollector,
) -> None:
    for country, raw in countries:
        if country.region not in index.regions:
            reader.problem("countries.yaml", raw.line, f"code {country.code!r}", f"unknown region '{country.region}'")
    for file, items, attr in (
        ("approaches.yaml", approaches, "only_in"),
        ("organisations.yaml", organisations, "service_area"),
    ):
        for model, raw in items:
            area = getattr(model, attr)
            if area is None:
                continue
            for code in area.countries:
                if code not in index.countries:
                    reader.problem(file, line_at(raw, (attr,)), _item_name(raw), f"unknown country code '{code}'")
            for code in area.regions:
                if code not in index.regions:
                    reader.problem(file, line_at(raw, (attr,)), _item_name(raw), f"unknown region '{code}'")
    for contact, raw in contacts:
        if contact.country not in index.countries:
            reader.problem("contacts.yaml", raw.line, f"country {contact.country!r}", "not a country in countries.yaml")
        for message, loc in check_contact_numbers(contact):
            reader.problem("contacts.yaml", line_at(raw, loc), f"country {contact.country!r}", message)


def check_contact_numbers(contact: CountryContacts) -> Iterable[tuple[str, tuple]]:
    """Emergency numbers against the emergency-number metadata that ships with phonenumbers.

    A number the metadata does not know needs an explicit, sourced override; an override
    on a number it does know is stale and must go, so overrides never outlive their reason.
    """
    seen: set[str] = set()
    for n, entry in enumerate(contact.emergency):
        known = phonenumbers.is_emergency_number(entry.number, contact.country)
        if entry.number in seen:
            yield f"emergency number {entry.number} is listed twice", ("emergency", n)
        seen.add(entry.number)
        if not known and not entry.metadata_override:
            yield (
                f"emergency number {entry.number} is not an emergency number for {contact.country} in "
                "phonenumbers' metadata; check it, or add metadata_override naming the source",
                ("emergency", n),
            )
        if known and entry.metadata_override:
            yield (
                f"emergency number {entry.number} is known to phonenumbers' metadata; remove metadata_override",
                ("emergency", n),
            )
    for n, line in enumerate(contact.helplines):
        if line.phone and not dialable(line.phone, contact.country):
            yield f"helpline phone {line.phone!r} is not a valid number in {contact.country}", ("helplines", n)


def dialable(number: str, country: str) -> bool:
    """A helpline number that can be dialled in its country: a short number (116 123, 1414)
    or a full national number that phonenumbers' metadata accepts."""
    digits = number.replace(" ", "").replace("-", "")
    try:
        parsed = phonenumbers.parse(digits, country)
    except phonenumbers.NumberParseException:
        return False
    if len(digits) <= 6 and shortnumberinfo.is_possible_short_number_for_region(parsed, country):
        return True
    return phonenumbers.is_valid_number(parsed)


def _check_links(
    organisations: list, not_effective: list, rules: list, index: _ReferenceIndex, reader: _ProblemCollector
) -> None:
    def unknown(file: str, raw: object, loc: tuple, ids: Iterable[str], known: set[str], what: str) -> None:
        for code in ids:
            if code not in known:
                reader.problem(file, line_at(raw, loc), _item_name(raw), f"unknown {what} '{code}'")

    for org, raw in organisations:
        unknown("organisations.yaml", raw, ("approaches",), org.approaches, index.approaches, "approach")
    for item, raw in not_effective:
        unknown("not_effective.yaml", raw, ("instead",), item.instead, index.approaches, "approach")
        for message in _check_condition(item.lean_if, index, before=None):
            reader.problem("not_effective.yaml", line_at(raw, ("lean_if",)), _item_name(raw), message)
    for rule, raw in rules:
        unknown("rules.yaml", raw, ("recommend",), rule.recommend, index.approaches, "approach")
        unknown(
            "rules.yaml",
            raw,
            ("recommend_organisations",),
            rule.recommend_organisations,
            index.organisations,
            "organisation",
        )
        if rule.exclude is not None:
            unknown("rules.yaml", raw, ("exclude", "approaches"), rule.exclude.approaches, index.approaches, "approach")
            unknown(
                "rules.yaml",
                raw,
                ("exclude", "organisations"),
                rule.exclude.organisations,
                index.organisations,
                "organisation",
            )
        if rule.lower is not None:
            unknown("rules.yaml", raw, ("lower", "approaches"), rule.lower.approaches, index.approaches, "approach")
        for message in _check_condition(rule.when, index, before=None):
            reader.problem("rules.yaml", line_at(raw, ("when",)), _item_name(raw), message)


def _future(checked: dt.date, today: dt.date | None = None) -> str | None:
    """A checked date after today is a typing mistake: nobody has checked a page tomorrow."""
    today = today or dt.date.today()
    if checked > today:
        return f"'checked' is {checked.isoformat()}, a date in the future; give the day the page was checked"
    return None


def _check_reach(organisations: list, reader: _ProblemCollector) -> None:
    """Each way to reach an organisation: a number phonenumbers accepts, a checked date that has passed."""
    for org, raw in organisations:
        for n, way in enumerate(org.reach):
            line = line_at(raw, ("reach", n))
            if way.kind == "phone" and way.number and not _valid_phone(way.number, way.country):
                where = f" in {way.country}" if way.country else ""
                reader.problem(
                    "organisations.yaml",
                    line,
                    _item_name(raw),
                    f"reach 'number' {way.number!r} is not a valid phone number{where}",
                )
            if problem := _future(way.checked):
                reader.problem("organisations.yaml", line, _item_name(raw), f"reach {problem}")


def _valid_phone(number: str, country: str | None) -> bool:
    if country:
        return dialable(number, country)
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(number.replace(" ", "").replace("-", ""), None))
    except phonenumbers.NumberParseException:
        return False


def _check_family_support(items: list, index: _ReferenceIndex, reader: _ProblemCollector) -> None:
    for item, raw in items:
        if item.show_if is not None:
            for message in _check_condition(item.show_if, index, before=None):
                reader.problem("family_support.yaml", line_at(raw, ("show_if",)), _item_name(raw), message)
        if item.checked is not None and (problem := _future(item.checked)):
            reader.problem("family_support.yaml", line_at(raw, ("checked",)), _item_name(raw), problem)


def _check_finders(finders: list, index: _ReferenceIndex, reader: _ProblemCollector) -> None:
    seen: set[tuple[str, str]] = set()
    for finder, raw in finders:
        if finder.country not in index.countries:
            reader.problem("finders.yaml", raw.line, _item_name(raw), "'country' is not a country in countries.yaml")
        if (finder.country, finder.url) in seen:
            reader.problem("finders.yaml", raw.line, _item_name(raw), f"the finder {finder.url} is listed twice")
        seen.add((finder.country, finder.url))
        if problem := _future(finder.checked):
            reader.problem("finders.yaml", line_at(raw, ("checked",)), _item_name(raw), problem)
