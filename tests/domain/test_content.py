"""Content is faithful to the source documents and honest about evidence."""

from __future__ import annotations

import re

from ..conftest import RULES

SOURCE = (RULES / "sources" / "global-recovery-articles.txt").read_text(encoding="utf-8")
# Words that label people by their condition: the product uses person-first language.
STIGMATISING = re.compile(r"\b(addicts?|junkies?|abusers?|drug abuse|substance abuse|alcoholics?)\b", re.I)


def test_every_approach_and_organisation_cites_a_verbatim_quote(rulebook):
    for item in (*rulebook.approaches, *rulebook.organisations, *rulebook.not_effective):
        assert item.citations, item.id
        for citation in item.citations:
            assert citation.quote in SOURCE, (item.id, citation.quote)


def test_quotes_come_from_the_article_they_name(rulebook):
    titles = [d.title for d in rulebook.documents]
    starts = [SOURCE.index(t) for t in titles]
    spans = {d.id: (s, e) for d, s, e in zip(rulebook.documents, starts, [*starts[1:], len(SOURCE)], strict=True)}
    for item in (*rulebook.approaches, *rulebook.organisations, *rulebook.not_effective):
        for citation in item.citations:
            start, end = spans[citation.document]
            assert citation.quote in SOURCE[start:end], (item.id, citation.document)


def _own_words(text: str) -> str:
    """Text without quoted passages or proper names, which keep their own words."""
    for name in ("Alcoholics Anonymous", "Campaign Against Alcohol and Drug Abuse", "Institute on Drug Abuse"):
        text = text.replace(name, "")
    return re.sub(r"[\"“][^\"”]*[\"”]", "", text)


def test_person_first_language(rulebook):
    texts = []
    for q in rulebook.questions:
        texts += [str(q.text), str(q.help or ""), *(str(o.label) for o in q.options)]
    for a in rulebook.approaches:
        texts += [a.name, a.summary, a.what_to_expect, a.evidence, *a.cautions]
    for r in rulebook.rules:
        texts.append(str(r.reason))
    for n in rulebook.not_effective:
        texts += [n.summary, str(n.note)]
    for o in rulebook.organisations:
        texts += [o.name, o.description]
    offending = [t for t in texts if STIGMATISING.search(_own_words(t))]
    assert offending == []


def test_policy_and_advocacy_bodies_are_information_only(rulebook):
    providers = {o.id for o in rulebook.organisations if o.role == "direct_help"}
    for body in ("unodc", "who", "incb", "harm-reduction-international", "drug-policy-alliance", "global-fund"):
        assert body not in providers


def test_documented_cautions_are_carried(rulebook):
    by_id = {a.id: a for a in rulebook.approaches}
    assert any("vary in quality and oversight" in c for c in by_id["faith-based-therapeutic-communities"].cautions)
    assert any("may lack scientific validation" in c for c in by_id["buddhist-temple-programme"].cautions)
    assert by_id["heroin-assisted-treatment"].only_in.countries == ("CH",)


def test_external_facts_carry_a_source_and_a_date(rulebook):
    for contacts in rulebook.contacts:
        for entry in contacts.emergency:
            assert entry.source.startswith("https://")
            assert entry.checked
        for line in contacts.helplines:
            assert line.source.startswith("https://")
            assert line.checked


def test_contacts_cover_the_countries_the_documents_name(rulebook):
    covered = {c.country for c in rulebook.contacts}
    named = {"US", "CA", "PT", "BR", "CO", "TH", "KE", "SE", "NO", "CH", "FR", "DE", "GB", "AU", "NL"}
    assert named <= covered
    with_crisis_line = {c.country for c in rulebook.contacts if c.has_crisis_line}
    assert named <= with_crisis_line, sorted(named - with_crisis_line)


def test_emergency_numbers_cover_at_least_150_countries(rulebook):
    assert len(rulebook.contacts) >= 150
