"""A YAML loader for documents from strangers: the safe loader, with aliases, nesting and
duplicate keys bounded while the document is composed, before any Python value is built.

A 456-byte alias chain (``a: &a [x, x]``, ``b: &b [*a, *a]``, ...) composes to a few nodes but
stands for 2^n values once read: walking it stalled a node for 3.4 s and a ``repr`` of it wrote
a 58 MB log line. Here every node's size *as expanded* (1 + its children's expanded sizes,
an alias counting as the whole node it names) is known as soon as the node is composed, and a
document past :data:`MAX_NODES` is refused at once. Nesting past :data:`MAX_DEPTH` is refused
before Python's recursion limit is near (a RecursionError was the node's answer to deep YAML).
A key given twice in one mapping is refused too: YAML says a mapping's keys are unique, and
PyYAML would silently keep the last, so a duplicated policy region or period would go unseen.
"""

from __future__ import annotations

from typing import Any, cast

import yaml
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import Resolver
from yaml.scanner import Scanner


class _PurePython(Reader, Scanner, Parser):
    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)


_Parsing: Any
try:
    from yaml.cyaml import CParser as _Parsing  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover - PyYAML without libyaml
    _Parsing = _PurePython

MAX_DEPTH = 32
"""Levels of nesting; the deepest province document needs 8."""

MAX_NODES = 200_000
"""Nodes of a document with its aliases expanded; a province's catalogue has about 2,000."""

_MERGE = "tag:yaml.org,2002:merge"


class BoundExceeded(yaml.MarkedYAMLError):
    """A document past one of the loader's bounds."""


class _Bounds(Composer):
    """PyYAML's composer with bounded depth, bounded alias expansion and unique keys."""

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        mark: Any = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            named = self.anchors.get(event.anchor)
            if named is not None and id(named) not in self._sizes:
                raise BoundExceeded(None, None, "an alias inside the node it names (a loop)", mark)
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise BoundExceeded(None, None, f"nested deeper than {MAX_DEPTH} levels", mark)
        try:
            node = cast(Node, super().compose_node(parent, index))
        finally:
            self._depth -= 1
        size = 1
        value: Any = node.value
        if isinstance(node, SequenceNode):
            size += sum(self._sizes[id(child)] for child in value)
        elif isinstance(node, MappingNode):
            size += sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in value)
        if size > MAX_NODES:
            raise BoundExceeded(
                None,
                None,
                f"more than {MAX_NODES} values once its aliases are expanded",
                node.start_mark,
            )
        self._sizes[id(node)] = size
        return node

    def compose_mapping_node(self, anchor: Any) -> MappingNode:
        node: MappingNode = super().compose_mapping_node(anchor)
        seen: set[tuple[str, str]] = set()
        for key, _ in node.value:
            if not isinstance(key, ScalarNode) or key.tag == _MERGE:
                continue
            ident = (key.tag, key.value)
            if ident in seen:
                raise BoundExceeded(
                    None, None, f"key {key.value[:40]!r} given twice in one mapping", key.start_mark
                )
            seen.add(ident)
        return node


class BoundedLoader(_Bounds, _Parsing, SafeConstructor, Resolver):  # type: ignore[misc]
    """The safe loader with bounded depth, aliases and unique keys (parsed by libyaml, 7x
    faster, when PyYAML has it; composed by :class:`_Bounds`)."""

    def __init__(self, stream: str) -> None:
        if _Parsing is _PurePython:
            _PurePython.__init__(self, stream)
        else:
            _Parsing.__init__(self, stream)
        SafeConstructor.__init__(self)
        Resolver.__init__(self)
        _Bounds.__init__(self)


def load(text: str) -> Any:
    """The one document in ``text``, loaded with :class:`BoundedLoader`."""
    loader = BoundedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def describe(exc: BaseException) -> str:
    """A loading error as one short line: what and where, never the document's text (a YAML
    error's own message quotes the line, which may hold a person's name)."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "not valid YAML"
        return f"{what[:120]}{where}"
    if isinstance(exc, yaml.YAMLError):
        return str(exc).splitlines()[0][:120] if str(exc) else "not valid YAML"
    return f"{type(exc).__name__} while reading: {str(exc)[:100]}"
