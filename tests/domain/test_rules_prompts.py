"""Talking prompts for intake staff: one for every question, in English, never translated."""

from __future__ import annotations

import io
import re

import pytest
from pydantic import ValidationError

from wizard.domain.rulebook.extract import extract_rules
from wizard.domain.rulebook.models import Question, Wording, words_for

from ..conftest import RULES

AUDIENCES = ("myself", "someone_else")


def extracted(text: str) -> list[str]:
    return [message for _line, _func, message, _context in extract_rules(io.BytesIO(text.encode()), {}, [], {})]


def test_every_question_has_a_talking_prompt_for_both_audiences(rulebook):
    for question in rulebook.questions:
        assert question.prompt is not None, f"{question.id} has no prompt"
        for audience in AUDIENCES:
            prompt = words_for(question.prompt, audience)
            # Read aloud by staff: it starts with what to do, and asks a question.
            assert prompt.startswith("Ask"), (question.id, audience, prompt)
            assert "?" in prompt and len(prompt) <= 300, (question.id, audience)
            assert "{" not in prompt and "%(" not in prompt, (question.id, audience)


def test_prompts_follow_who_the_help_is_for(rulebook):
    for question in rulebook.questions:
        if isinstance(question.prompt, Wording):
            assert question.prompt.myself != question.prompt.someone_else, question.id
            assert re.search(r"\b(they|them|their)\b", question.prompt.someone_else), question.id


def test_why_it_matters_is_there_for_every_question_too(rulebook):
    assert all(question.why_we_ask for question in rulebook.questions)


def test_a_prompt_is_optional_in_the_model():
    question = Question(
        id="q",
        kind="single",
        text="Text?",
        summary="Q",
        options=[{"code": "a", "label": "A"}, {"code": "b", "label": "B"}],
    )
    assert question.prompt is None
    with pytest.raises(ValidationError):
        Question(id="q", kind="country", text="Text?", summary="Q", prompt="")


def test_the_rules_extractor_never_takes_a_prompt():
    source = (RULES / "questions.yaml").read_text(encoding="utf-8")
    messages = extracted(source)
    assert "Would you be open to medicine as part of treatment?" in messages
    assert "Services, laws and helplines differ from country to country." in messages  # why_we_ask is translated
    assert not [m for m in messages if m.startswith("Ask")], "a talking prompt was extracted"


def test_the_extractor_skips_prompts_of_either_shape():
    messages = extracted(
        """
questions:
  - id: one
    text: Shown to people
    prompt: "Ask: staff only"
  - id: two
    text:
      myself: For me
      someone_else: For them
    prompt:
      myself: "Ask: staff only, myself"
      someone_else: "Ask: staff only, someone else"
"""
    )
    assert messages == ["Shown to people", "For me", "For them"]
