"""The condition language shared by skip logic and rules.

A closed set of operators, written in YAML as mappings:

    {answer: faith, equals: secular}
    {answer: setting, in: [outpatient, not_sure]}
    {answer: needs, any_in: [cost, distance]}     # multiple-choice answers
    {answered: country}
    {all: [...]}  {any: [...]}  {not: {...}}
    {always: true}

Answers are option codes. A multiple-choice answer is a frozenset of codes.
An unanswered question makes every test on it false (so ``not`` of it is true).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

Answers = Mapping[str, "str | frozenset[str]"]

OPERATORS = "all, any, not, answer + equals, answer + in, answer + any_in, answered, always"


class ConditionError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Equals:
    answer: str
    value: str

    def test(self, answers: Answers) -> bool:
        return answers.get(self.answer) == self.value

    def leaves(self) -> Iterator[Cond]:
        yield self

    def describe(self) -> str:
        return f"{self.answer} is {self.value}"


@dataclass(frozen=True, slots=True)
class In:
    answer: str
    values: frozenset[str]

    def test(self, answers: Answers) -> bool:
        value = answers.get(self.answer)
        return isinstance(value, str) and value in self.values

    def leaves(self) -> Iterator[Cond]:
        yield self

    def describe(self) -> str:
        return f"{self.answer} is one of {', '.join(sorted(self.values))}"


@dataclass(frozen=True, slots=True)
class AnyIn:
    answer: str
    values: frozenset[str]

    def test(self, answers: Answers) -> bool:
        value = answers.get(self.answer)
        return isinstance(value, frozenset) and not value.isdisjoint(self.values)

    def leaves(self) -> Iterator[Cond]:
        yield self

    def describe(self) -> str:
        return f"{self.answer} includes any of {', '.join(sorted(self.values))}"


@dataclass(frozen=True, slots=True)
class Answered:
    answer: str

    def test(self, answers: Answers) -> bool:
        return bool(answers.get(self.answer))

    def leaves(self) -> Iterator[Cond]:
        yield self

    def describe(self) -> str:
        return f"{self.answer} is answered"


@dataclass(frozen=True, slots=True)
class All:
    parts: tuple[Cond, ...]

    def test(self, answers: Answers) -> bool:
        return all(part.test(answers) for part in self.parts)

    def leaves(self) -> Iterator[Cond]:
        for part in self.parts:
            yield from part.leaves()

    def describe(self) -> str:
        return "all of (" + "; ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class Any:
    parts: tuple[Cond, ...]

    def test(self, answers: Answers) -> bool:
        return any(part.test(answers) for part in self.parts)

    def leaves(self) -> Iterator[Cond]:
        for part in self.parts:
            yield from part.leaves()

    def describe(self) -> str:
        return "any of (" + "; ".join(p.describe() for p in self.parts) + ")"


@dataclass(frozen=True, slots=True)
class Not:
    part: Cond

    def test(self, answers: Answers) -> bool:
        return not self.part.test(answers)

    def leaves(self) -> Iterator[Cond]:
        yield from self.part.leaves()

    def describe(self) -> str:
        return f"not ({self.part.describe()})"


@dataclass(frozen=True, slots=True)
class Always:
    def test(self, answers: Answers) -> bool:
        return True

    def leaves(self) -> Iterator[Cond]:
        return iter(())

    def describe(self) -> str:
        return "always"


Cond = Equals | In | AnyIn | Answered | All | Any | Not | Always


ANY_VALUE = "*"


def guard(cond: Cond) -> frozenset[tuple[str, str]] | None:
    """Answers of which at least one must be given for the condition to hold.

    Returns (answer, code) pairs, with code ANY_VALUE for "answered at all",
    or None when the condition could hold without any particular answer
    (``not``, ``always``). The matcher uses this to skip rules that cannot fire.
    """
    if isinstance(cond, Equals):
        return frozenset({(cond.answer, cond.value)})
    if isinstance(cond, (In, AnyIn)):
        return frozenset((cond.answer, v) for v in cond.values)
    if isinstance(cond, Answered):
        return frozenset({(cond.answer, ANY_VALUE)})
    if isinstance(cond, All):
        guards = [g for g in map(guard, cond.parts) if g is not None]
        return min(guards, key=len) if guards else None
    if isinstance(cond, Any):
        guards = [guard(part) for part in cond.parts]
        if any(g is None for g in guards):
            return None
        return frozenset().union(*guards)
    return None


def compile_condition(cond: Cond) -> Callable[[Answers], bool]:
    """The condition as one plain function of the answers, with the same result as ``cond.test``.

    Built once at start-up for the matcher: the answer-space walk tests the rules millions of
    times, and a chain of small functions is several times quicker than a method call and a
    generator per node."""
    if isinstance(cond, Equals):
        answer, value = cond.answer, cond.value
        return lambda answers: answers.get(answer) == value
    if isinstance(cond, In):
        answer, values = cond.answer, cond.values
        return lambda answers: isinstance(found := answers.get(answer), str) and found in values
    if isinstance(cond, AnyIn):
        answer, values = cond.answer, cond.values
        return lambda answers: isinstance(found := answers.get(answer), frozenset) and not found.isdisjoint(values)
    if isinstance(cond, Answered):
        answer = cond.answer
        return lambda answers: bool(answers.get(answer))
    if isinstance(cond, Always):
        return lambda answers: True
    if isinstance(cond, Not):
        part = compile_condition(cond.part)
        return lambda answers: not part(answers)
    # All and Any: chained two at a time, so that each part is one call, never a loop.
    both = isinstance(cond, All)
    tests = [compile_condition(part) for part in cond.parts]
    joined = tests.pop()
    while tests:
        joined = _joined(tests.pop(), joined, both)
    return joined


def _joined(first: Callable[[Answers], bool], rest: Callable[[Answers], bool], both: bool) -> Callable[[Answers], bool]:
    if both:
        return lambda answers: first(answers) and rest(answers)
    return lambda answers: first(answers) or rest(answers)


def matched_leaves(cond: Cond, answers: Answers) -> list[str]:
    """The leaf tests that held, in words, for explaining why a rule fired."""
    return [leaf.describe() for leaf in cond.leaves() if leaf.test(answers)]


def _codes(value: object, key: str) -> frozenset[str]:
    if not isinstance(value, list) or not value:
        raise ConditionError(f"'{key}' needs a non-empty list of option codes")
    return frozenset(_code(v, key) for v in value)


def _code(value: object, key: str) -> str:
    if isinstance(value, bool):
        raise ConditionError(f"'{key}' got true/false; write option codes in quotes, e.g. 'yes'")
    if not isinstance(value, str) or not value:
        raise ConditionError(f"'{key}' needs an option code (text), got {value!r}")
    return value


def _parts(value: object, key: str) -> tuple[Cond, ...]:
    if not isinstance(value, list) or not value:
        raise ConditionError(f"'{key}' needs a non-empty list of conditions")
    return tuple(parse_condition(v) for v in value)


def parse_condition(raw: object) -> Cond:
    """Turn a YAML mapping into a condition, or say clearly what is wrong."""
    if isinstance(raw, (Equals, In, AnyIn, Answered, All, Any, Not, Always)):
        return raw
    if not isinstance(raw, dict):
        raise ConditionError(f"a condition must be a mapping using one of: {OPERATORS}")
    keys = set(raw)
    if keys == {"all"}:
        return All(_parts(raw["all"], "all"))
    if keys == {"any"}:
        return Any(_parts(raw["any"], "any"))
    if keys == {"not"}:
        return Not(parse_condition(raw["not"]))
    if keys == {"always"}:
        if raw["always"] is not True:
            raise ConditionError("'always' takes the value true")
        return Always()
    if keys == {"answered"}:
        return Answered(_code(raw["answered"], "answered"))
    if "answer" in keys and len(keys) == 2:
        name = _code(raw["answer"], "answer")
        (op,) = keys - {"answer"}
        if op == "equals":
            return Equals(name, _code(raw["equals"], "equals"))
        if op == "in":
            return In(name, _codes(raw["in"], "in"))
        if op == "any_in":
            return AnyIn(name, _codes(raw["any_in"], "any_in"))
        raise ConditionError(f"unknown operator '{op}'; use one of: {OPERATORS}")
    raise ConditionError(f"cannot read a condition with keys {sorted(map(str, keys))}; use one of: {OPERATORS}")
