"""Read YAML while remembering line numbers, so errors can point at a line.

Two YAML traps are turned into errors instead of silent surprises:
unquoted yes/no/on/off (read as true/false) and repeated keys (the later
one silently wins in plain PyYAML).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

try:  # the C loader is several times faster; fall back where it is missing
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

_PLAIN_BOOLS = {"true", "false"}


class LineDict(dict):
    """A mapping that knows the line it starts on and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: object) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    line: int = 0


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


class _LineLoader(_Base):
    def __init__(self, stream):
        super().__init__(stream)
        self.problems: list[YamlProblem] = []


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if isinstance(key, bool):
            key = key_node.value  # a key such as `no:` means the text, not false
        if key in mapping:
            loader.problems.append(
                YamlProblem(key_node.start_mark.line + 1, f"the key '{key}' appears twice in the same block")
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[key] = key_node.start_mark.line + 1
    return mapping


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    return items


def _construct_bool(loader: _LineLoader, node: yaml.ScalarNode) -> object:
    if node.value.lower() in _PLAIN_BOOLS:
        return node.value.lower() == "true"
    loader.problems.append(
        YamlProblem(
            node.start_mark.line + 1,
            f"'{node.value}' without quotes is read by YAML as true/false. "
            f"If you meant the text or option code, write it in quotes: '{node.value}'. "
            "If you meant a yes/no setting, write true or false.",
        )
    )
    return node.value


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:bool", _construct_bool)


def load_yaml(path: Path) -> tuple[object, list[YamlProblem]]:
    """Parse one file. Syntax errors come back as problems, never as exceptions."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [YamlProblem(0, "the file is missing")]
    except UnicodeDecodeError as exc:
        return None, [YamlProblem(0, f"the file is not valid UTF-8 text ({exc.reason})")]
    loader = _LineLoader(text)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = mark.line + 1 if mark else 0
        return None, [YamlProblem(line, f"the YAML cannot be read: {exc.problem}")]
    except yaml.YAMLError as exc:
        return None, [YamlProblem(0, f"the YAML cannot be read: {exc}")]
    finally:
        loader.dispose()
    return data, loader.problems


def line_at(data: object, loc: tuple) -> int:
    """The line of the deepest node along a validation error's location."""
    line = getattr(data, "line", 0)
    node = data
    for step in loc:
        if isinstance(node, LineDict) and step in node:
            line = node.line_of(step)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and step < len(node):
            node = node[step]
            line = getattr(node, "line", line)
        else:
            break
    return line
