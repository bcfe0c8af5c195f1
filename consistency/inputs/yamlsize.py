"""How big a YAML document may get before anything walks it: nodes counted from parser
events, and aliases that would expand it (a "billion laughs" file, CWE-776). Split from
:mod:`.yamlio`, which applies these limits to every file it reads (docs/limits.md).
"""

from __future__ import annotations

import yaml

_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


class AliasBomb(Exception):
    """Aliases that would expand a document past :data:`.yamlio.MAX_ALIAS_NODES` (CWE-776)."""

    def __init__(self, node: yaml.Node, expanded: int, limit: int):
        super().__init__(
            f"YAML aliases here expand to over {expanded} nodes; the limit is {limit} "
            "(a 'billion laughs' document?)"
        )
        self.line, self.col = _pos(node.start_mark)


def count_nodes(text: str, limit: int | None = None) -> int:
    """The nodes of ``text``, counted from parser events (flat memory), up to ``limit``.

    Raises ``AliasBomb`` (too many nodes) at the first node over the limit, so a file
    of millions of tiny nodes fails in a second instead of building them all.

    >>> count_nodes("a: [1, 2, *x]")
    6
    """
    limit = float("inf") if limit is None else limit
    parser = _SafeBase(text)
    count = 0
    try:
        while parser.check_event():
            event = parser.get_event()
            if isinstance(event, _NODE_EVENTS):
                count += 1
                if count > limit:
                    raise TooManyNodes(event.start_mark, limit)
    finally:
        parser.dispose()
    return count


_NODE_EVENTS = (
    yaml.ScalarEvent,
    yaml.SequenceStartEvent,
    yaml.MappingStartEvent,
    yaml.AliasEvent,
)


class TooManyNodes(Exception):
    """A file with more nodes than :data:`.yamlio.MAX_YAML_NODES`."""

    def __init__(self, mark: yaml.Mark, limit: int):
        super().__init__(f"over {limit} YAML nodes by here; the limit is {limit}")
        self.line, self.col = _pos(mark)


def check_aliases(root: yaml.Node, limit: int | None = None) -> None:
    """Raise ``AliasBomb`` when aliases would add more than ``limit`` nodes to the document.

    Counts each node as often as the expanded document holds it, with each node's count
    computed once: linear in the file, however deep the aliases nest. A node that
    contains itself counts once there (the loader makes a recursive structure of it).

    >>> check_aliases(yaml.compose("a: &x [1, 2]\\nb: [*x, *x]"))
    >>> bomb = "a: &a [x, x]\\n" + "".join(f"{c}: &{c} [*{p}, *{p}]\\n" for p, c in zip("abcd", "bcde"))
    >>> check_aliases(yaml.compose(bomb), limit=40)
    Traceback (most recent call last):
    ...
    consistency.inputs.yamlsize.AliasBomb: YAML aliases here expand to over 63 nodes; the limit is 40 (a 'billion laughs' document?)
    """
    limit = float("inf") if limit is None else limit
    sizes: dict[int, int] = {}
    distinct = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        children = _children(node)
        if not children_done:
            distinct += 1
            sizes[key] = 1  # in progress: a node inside itself counts once
            stack.append((node, True))
            stack.extend((child, False) for child in children if id(child) not in sizes)
            continue
        sizes[key] = 1 + sum(sizes[id(child)] for child in children)
        if sizes[key] - distinct > limit:
            raise AliasBomb(node, sizes[key], limit)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []
