"""The rules are read once per process while their folder is unchanged, and read again after an edit."""

from __future__ import annotations

import os
import shutil

from tests.conftest import RULES
from wizard.platform.services import rules_from


def test_an_unchanged_rules_folder_is_read_once_and_an_edited_one_again(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    rulebook, _, journey = rules_from(folder)
    assert rules_from(folder)[0] is rulebook
    questions = folder / "questions.yaml"
    questions.write_text(questions.read_text().replace("Danger right now", "Danger now", 1))
    stat = questions.stat()
    os.utime(questions, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    edited, _, edited_journey = rules_from(folder)
    assert edited is not rulebook and edited_journey is not journey
    assert edited.questions[2].summary == "Danger now" != rulebook.questions[2].summary
