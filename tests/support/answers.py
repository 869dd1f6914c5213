"""Answer sets and call-back details that several test modules walk through or look for."""

from __future__ import annotations

FULL = {
    "who": "myself",
    "country": "GB",
    "danger": "not_now",
    "subdivision": "",
    "town": "",
    "substances": ["opioids", "alcohol"],
    "injecting": "injects",
    "readiness": "cut_down_or_safer",
    "faith": "secular",
    "setting": "outpatient",
    "medication": "open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": ["cost", "legal"],
}
# The same person using opioids alone, with nothing ticked for support or needs.
OPIOIDS_ONLY = {**FULL, "substances": ["opioids"], "support": [], "needs": []}


CALLBACK = {
    "name": "Quintessa Marlowe-Brightwater",
    "phone": "+44 7911 123456",
    "email": "quintessa.brightwater@example.org",
    "contact_method": "call",
    "best_time": "evening",
    "language": "pt",
    "leave_message": "no",
    "say_who": "no",
    "for_whom": "someone_else",
    "whose_details": "theirs",
    "message": "Zephyrine counted seventeen quokkas\nbefore breakfast",
    "consent": "y",
    "website": "",
}


# The number as typed, as stored (E.164), and as staff or a library might write it.
PHONE_FORMS = [
    "+44 7911 123456",
    "+447911123456",
    "447911123456",
    "07911 123456",
    "07911123456",
    "7911 123456",
    "7911123456",
    "+44 7911123456",
    "+44-7911-123456",
]


PERSONAL_PIECES = [
    CALLBACK["name"],
    "Quintessa",
    "Marlowe",
    "Brightwater",
    CALLBACK["email"],
    "quintessa.brightwater",
    CALLBACK["message"],
    "Zephyrine",
    "quokkas",
    *PHONE_FORMS,
]


# Answer codes that are also ordinary words of the storage layer: "open" is the state of
# every new request, stored in the clear (see storage/models.py), not the answer "open".
NOT_PERSONAL_WORDS = {"open"}


def answer_codes() -> set[str]:
    codes = {code for value in FULL.values() for code in (value if isinstance(value, list) else [value])}
    # The call-back choices too; two-letter and yes/no codes are too common to search for as words.
    codes |= {"evening", "someone_else", "theirs"}
    return codes - NOT_PERSONAL_WORDS
