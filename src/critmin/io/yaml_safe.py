"""YAML read for instances: safe, strict and bounded.

- Duplicate keys are an error (YAML would silently keep the last one).
- Only `true`/`false` are booleans and only plain decimal numbers are integers (YAML 1.2 core schema): a
  region `NO` (Norway), `ON` or `Y` stays text, and an id `010` is not read as the octal number 8. Numeric
  fields still accept quoted or unquoted numbers (the schema converts them).
- Limits guard memory and the stack: a document may expand (through aliases) to at most MAX_NODES nodes and
  nest at most MAX_DEPTH levels, so a small "billion laughs" file is refused at once.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, SequenceNode

MAX_NODES = 2_000_000
MAX_DEPTH = 100


class YamlLimitError(yaml.YAMLError):
    """The document is too large or too deep once its aliases are expanded."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class DuplicateKeyError(yaml.YAMLError):
    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(f"duplicate key '{key}'")
        self.key, self.line, self.first = key, line, first


class StrictLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 booleans and integers, duplicate-key errors and a nesting limit."""

    _depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise YamlLimitError(f"nested more than {MAX_DEPTH} levels deep", mark.line + 1)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` may be overridden by the keys written beside it
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, (str, int, float, bool)) and key in seen:
                raise DuplicateKeyError(key, line, seen[key])
            if isinstance(key, (str, int, float, bool)):
                seen[key] = line
        return super().construct_mapping(node, deep=deep)


_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _INT)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
StrictLoader.add_implicit_resolver(_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
StrictLoader.add_implicit_resolver(_INT, re.compile(r"^[-+]?(?:0|[1-9][0-9_]*)$"), list("-+0123456789"))


def _expanded_size(root: Node) -> int:
    """Nodes in the document with every alias expanded (iterative, memoised by node identity)."""
    size: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in size:
            continue
        children: list[Node] = []
        if isinstance(node, SequenceNode):
            children = list(node.value)
        elif isinstance(node, MappingNode):
            children = [n for pair in node.value for n in pair]
        if done or not children:
            total = 1 + sum(size.get(id(c), 0) for c in children)
            size[id(node)] = total
            if total > MAX_NODES:
                raise YamlLimitError(
                    f"expands to more than {MAX_NODES:,} entries (through aliases)", node.start_mark.line + 1
                )
            continue
        stack.append((node, True))
        stack += [(c, False) for c in children if id(c) not in size]
    return size[id(root)]


def load_yaml(text: str) -> Any:
    """Parse one YAML document under the rules above."""
    loader = StrictLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None
        _expanded_size(root)
        return loader.construct_document(root)
    finally:
        loader.dispose()
