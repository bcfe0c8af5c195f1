"""The one YAML reader: safe YAML with the line and column of every node, for every command.

``load_yaml`` reads a file (or a :class:`Text` already in memory) with a ``SafeLoader`` subclass that:

- records the 1-based line and column of every mapping value, mapping key and
  sequence item, keyed by its JSON path tuple (``("products", 0, "prices", 1, "to")``);
- refuses a key written twice in one mapping;
- turns every YAML float into a ``Decimal`` built from the scalar's own text, so
  ``99.90`` is ``Decimal('99.90')`` and no binary float ever appears;
- refuses a file over :data:`MAX_YAML_BYTES` or :data:`MAX_YAML_NODES` nodes, and
  aliases that would expand the document by more than :data:`MAX_ALIAS_NODES`
  nodes (a "billion laughs" file of 1 KB names a billion), before anything walks
  the data (docs/limits.md).

Validation against the JSON Schemas is in :mod:`consistency.inputs.schema`.

>>> data, marks = loads("price: 99.90\\nnames: [a, b]\\n", "x.yaml")
>>> data["price"], marks[("names", 1)]
(Decimal('99.90'), (2, 12))
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from ..errors import InputError, LoadError
from .yamlsize import AliasBomb, TooManyNodes, check_aliases, count_nodes

Path_ = tuple  # a JSON path: keys (str, or whatever YAML made of the key) and list indexes

MAX_YAML_BYTES = 16 * 1024 * 1024  # a YAML input file (price list, answers, rules, config)
MAX_YAML_NODES = 500_000  # scalars, lists, mappings and aliases in one file (~50,000 products)
MAX_ALIAS_NODES = 100_000  # nodes aliases may add when the document is expanded
_COUNT_NODES_OVER = 64 * 1024  # files shorter than this cannot hold too many nodes to matter
MAX_NUMBER_DIGITS = 100  # digits of a number, either side of the point (loaders say more)


@dataclass(frozen=True)
class YamlLimits:
    """The YAML limits, as the config's ``limits: yaml:`` sets them (docs/limits.md)."""

    bytes: int = MAX_YAML_BYTES
    nodes: int = MAX_YAML_NODES
    aliases: int = MAX_ALIAS_NODES
    number_digits: int = MAX_NUMBER_DIGITS


_DEFAULT_YAML = YamlLimits()


def use_limits(limits: YamlLimits | None) -> YamlLimits:
    """Set the limits every later read in this process uses (None: the defaults); returns
    the ones before. The config sets them for the files it names; the config itself is
    read under the limits in force before it (the defaults, for a command's run).

    >>> before = use_limits(YamlLimits(number_digits=3))
    >>> loads("n: 1234\\n", "x.yaml")
    Traceback (most recent call last):
    ...
    consistency.errors.InputError: x.yaml:1:4: the number '1234' has more than 3 digits, the limit for numbers in YAML inputs
    >>> _ = use_limits(before)
    """
    global MAX_YAML_BYTES, MAX_YAML_NODES, MAX_ALIAS_NODES, MAX_NUMBER_DIGITS
    before = YamlLimits(MAX_YAML_BYTES, MAX_YAML_NODES, MAX_ALIAS_NODES, MAX_NUMBER_DIGITS)
    limits = limits or _DEFAULT_YAML
    MAX_YAML_BYTES, MAX_YAML_NODES = limits.bytes, limits.nodes
    MAX_ALIAS_NODES, MAX_NUMBER_DIGITS = limits.aliases, limits.number_digits
    return before


class Marks(dict):
    """JSON path -> (line, col) of the value there; ``keys`` holds the marks of mapping keys."""

    def __init__(self) -> None:
        super().__init__()
        self.keys_at: dict[Path_, tuple[int, int]] = {}

    def at(self, path: Iterable) -> tuple[int | None, int | None]:
        """The mark of ``path``, or of its nearest ancestor that has one.

        >>> m = Marks(); m[()] = (1, 1); m[("a",)] = (2, 4)
        >>> m.at(("a", 3, "b")), m.at(("z",))
        ((2, 4), (1, 1))
        """
        path = tuple(path)
        while path:
            if path in self:
                return self[path]
            path = path[:-1]
        return self.get((), (None, None))


class DuplicateKey(Exception):
    def __init__(self, key: object, line: int, col: int, first: int):
        super().__init__(f"duplicate key {key!r} (first written on line {first})")
        self.line, self.col = line, col


_NEGATIVE_ZERO = re.compile(r"^-0+$|^-0[xob]0+$", re.IGNORECASE)  # as YAML 1.1 ints spell it
_NOT_DECIMAL = re.compile(  # YAML 1.1 ints in another base: 010 is 8, 0x10 16, 0b11 3
    r"^[-+]?(?:(?P<octal>0[0-7]+)|(?P<hexadecimal>0x[0-9a-f]+)|(?P<binary>0b[01]+))$",
    re.IGNORECASE,
)
_SEXAGESIMAL = re.compile(r"^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*$")


def decimal_from_yaml(text: str) -> Decimal:
    """The exact Decimal a YAML 1.1 float scalar spells.

    >>> decimal_from_yaml("99.90"), decimal_from_yaml("1_000.5"), decimal_from_yaml("-.inf")
    (Decimal('99.90'), Decimal('1000.5'), Decimal('-Infinity'))
    >>> decimal_from_yaml("1:30.5")
    Decimal('90.5')
    """
    text = text.replace("_", "").lower()
    sign = -1 if text.startswith("-") else 1
    bare = text.lstrip("+-")
    if bare == ".inf":
        return Decimal(sign) * Decimal("Infinity")
    if bare == ".nan":
        return Decimal("NaN")
    if ":" in bare and _SEXAGESIMAL.match(bare):
        total = Decimal(0)
        for part in bare.split(":"):
            total = total * 60 + Decimal(part)
        return sign * total
    return Decimal(text)


# libyaml parses several times faster; the pure-Python parser gives the same nodes and marks.
_SafeBase = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _plain_number(node: yaml.ScalarNode) -> str | None:
    """YAML 1.1 reads ``1:30`` as 90 (base 60) and ``1_000`` as 1000; in a price list that
    silently changes a value, so such a number is refused: write it plainly, or quote it."""
    if ":" in node.value or "_" in node.value:
        return (
            f"{_clip(node.value)} is a YAML 1.1 base-60 or underscored number, which YAML "
            "reads as another value: write the number plainly, or quote it"
        )
    return None


def _other_base(node: yaml.ScalarNode) -> str | None:
    """YAML 1.1 reads ``010`` as octal 8, ``0x10`` as 16 and ``0b11`` as 3; a price list (and
    an observation file, which reads ``010`` as 10) means decimal, so such an int is refused
    with the decimal its digits spell or the value YAML would read (CWE-1286).

    >>> _other_base(yaml.ScalarNode("tag:yaml.org,2002:int", "010"))
    "'010' is a YAML 1.1 octal number, which YAML reads as 8: quote it for text, or write 10"
    >>> _other_base(yaml.ScalarNode("tag:yaml.org,2002:int", "+0x1F"))
    "'+0x1F' is a YAML 1.1 hexadecimal number, which YAML reads as 31: quote it for text, or write 31"
    """
    match = _NOT_DECIMAL.match(node.value)
    if not match or len(node.value) > MAX_NUMBER_DIGITS:  # too long: refused as that
        return None
    base = match.lastgroup
    digits = match.group(base)
    read = int(digits, {"octal": 8, "hexadecimal": 16, "binary": 2}[base])
    meant = digits.lstrip("0") or "0" if base == "octal" else str(read)
    sign = "-" if node.value.startswith("-") else ""
    return (
        f"{_clip(node.value)} is a YAML 1.1 {base} number, which YAML reads as {sign}{read}: "
        f"quote it for text, or write {sign}{meant}"
    )


class Unreadable:
    """A scalar YAML cannot read as its type says (an impossible date, ``-0``, a number
    too long), left in the data in place of a value when the loader salvages: its
    problem is reported, and :mod:`.problems` leaves out the list item holding it."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"<unreadable {self.text!r}>"


class MarkedLoader(_SafeBase):
    """SafeLoader that builds Decimals instead of floats.

    ``salvage``, when a list, collects ``(line, col, message, path)`` of every value it cannot
    read (and of keys written twice) instead of raising, so one run reports them all.
    """

    salvage: list | None = None

    def refuse(self, node: yaml.Node, message: str) -> Unreadable:
        """Raise for ``node``, or, when salvaging, note the problem and return a stand-in."""
        if self.salvage is None:
            raise yaml.constructor.ConstructorError(None, None, message, node.start_mark)
        self.salvage.append((*_pos(node.start_mark), message, None))
        return Unreadable(str(node.value))

    def construct_yaml_float(self, node: yaml.ScalarNode) -> Decimal | Unreadable:
        if message := _plain_number(node):
            return self.refuse(node, message)
        try:
            value = decimal_from_yaml(self.construct_scalar(node))
        except InvalidOperation:
            return self.refuse(node, f"cannot read {_clip(node.value)} as a number")
        return value if _fits(value) else self.refuse(node, _too_long(node))

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int | Unreadable:
        """An int; ``-0`` is refused: as an int it loses its sign, so no later check could
        see it (the observation reader refuses ``-0``; ``-0.0`` stays a signed Decimal)."""
        if message := _plain_number(node):
            return self.refuse(node, message)
        if _NEGATIVE_ZERO.match(node.value):
            return self.refuse(
                node, f"{_clip(node.value)} is a negative zero: write 0, or quote it"
            )
        if message := _other_base(node):
            return self.refuse(node, message)
        try:
            value = super().construct_yaml_int(node)
        except ValueError:  # more digits than Python reads (4,300): refuse, do not crash
            value = None
        if value is None or abs(value) >= 10**MAX_NUMBER_DIGITS:
            return self.refuse(node, _too_long(node))
        return value

    def construct_yaml_timestamp(self, node: yaml.ScalarNode):
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:  # 2026-02-30: looks like a date, is not one
            return self.refuse(node, f"{node.value!r} is not a valid date ({exc})")


def _fits(value: Decimal) -> bool:
    """Whether ``value`` has at most :data:`MAX_NUMBER_DIGITS` digits either side."""
    if value.is_finite() and value:
        digits = len(value.as_tuple().digits)
        top, bottom = value.adjusted(), value.adjusted() - digits + 1
        return max(top, -bottom, digits) <= MAX_NUMBER_DIGITS
    return True


def _too_long(node: yaml.ScalarNode) -> str:
    return (
        f"the number {_clip(node.value)} has more than {MAX_NUMBER_DIGITS} digits, "
        "the limit for numbers in YAML inputs"
    )


def _clip(text: str) -> str:
    return repr(text) if len(text) <= 24 else repr(text[:20]) + f"… ({len(text)} characters)"


MarkedLoader.add_constructor("tag:yaml.org,2002:float", MarkedLoader.construct_yaml_float)
MarkedLoader.add_constructor("tag:yaml.org,2002:int", MarkedLoader.construct_yaml_int)
MarkedLoader.add_constructor("tag:yaml.org,2002:timestamp", MarkedLoader.construct_yaml_timestamp)

_MERGE = "tag:yaml.org,2002:merge"


def _pos(mark: yaml.Mark) -> tuple[int, int]:
    return mark.line + 1, mark.column + 1


def _scan(loader: MarkedLoader, node: yaml.Node, path: Path_, marks: Marks, seen: set) -> None:
    """Record marks under ``node`` and refuse duplicate keys; each node is visited once."""
    if id(node) in seen:  # an alias: its marks were recorded where the anchor is
        return
    seen.add(id(node))
    marks.setdefault(path, _pos(node.start_mark))
    if isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _scan(loader, item, (*path, index), marks, seen)
    elif isinstance(node, yaml.MappingNode):
        _scan_mapping(loader, node, path, marks, seen)


def _scan_mapping(loader, node: yaml.MappingNode, path: Path_, marks: Marks, seen: set) -> None:
    first_line: dict = {}
    for key_node, value_node in node.value:
        if key_node.tag == _MERGE:
            continue
        key = _key_of(loader, key_node)
        line, col = _pos(key_node.start_mark)
        try:
            if key in first_line:
                duplicate = DuplicateKey(key, line, col, first_line[key])
                if loader.salvage is None:
                    raise duplicate
                loader.salvage.append((line, col, str(duplicate), (*path, key)))
                continue
            first_line[key] = line
        except TypeError:  # an unhashable key: the constructor reports it
            continue
        marks.keys_at[(*path, key)] = (line, col)
        _scan(loader, value_node, (*path, key), marks, seen)


def _key_of(loader: MarkedLoader, key_node: yaml.Node) -> object:
    if isinstance(key_node, yaml.ScalarNode):
        return loader.construct_object(key_node)
    return f"<{key_node.id}>"


def _read_text(path: Path) -> str:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode) and not stat.S_ISCHR(os.stat(path).st_mode):
            raise IsADirectoryError(errno.EISDIR, "not a file (a folder, a pipe or a socket)")
        with open(path, "rb") as stream:  # never more than the limit, even from a device
            raw = stream.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise InputError(
            [LoadError(str(path), None, None, "", f"cannot read file: {exc.strerror}")]
        ) from None
    if len(raw) > MAX_YAML_BYTES:
        raise InputError([_too_big(str(path))])
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = f"not UTF-8 text (byte {raw[exc.start]:#04x} at offset {exc.start})"
        raise InputError([LoadError(str(path), line, None, "", message)]) from None


@dataclass(frozen=True)
class Text:
    """YAML already in memory, and the label its messages name (as yamllint's
    ``linter.run(buffer, conf, filepath)``): ``Text(old, "HEAD:prices.yaml")``.

    Every loader takes one where it takes a path; ``str()`` of it is the label.
    """

    text: str
    label: str

    def __str__(self) -> str:
        return self.label


Source = Path | str | Text  # a file's path, or its text with a label


def load_yaml(source: Source, salvage: list | None = None) -> tuple[object, Marks]:
    """Read one YAML document from a file or a :class:`Text`: ``(data, marks)``.

    Every problem raises ``InputError`` holding one ``LoadError`` (file, line, column).
    With a ``salvage`` list, values YAML cannot read (an impossible date, ``-0``, a number
    too long) and keys written twice do not raise: each adds ``(path, LoadError)`` to it,
    and the value becomes an :class:`Unreadable` (a repeated key keeps its last value).
    """
    if isinstance(source, Text):
        return loads(source.text, source.label, salvage)
    return loads(_read_text(Path(source)), str(source), salvage)


def _too_big(file: str) -> LoadError:
    message = f"the file is over {MAX_YAML_BYTES:,} bytes, the size limit for YAML"
    return LoadError(file, None, None, "", message)


def loads(text: str, file: str, salvage: list | None = None) -> tuple[object, Marks]:
    """Parse YAML text that came from ``file`` (used in messages); ``salvage``: as
    :func:`load_yaml`.

    >>> found = []
    >>> loads("a: 2026-02-30\\nb: [1, -0]\\n", "x.yaml", found)[0]
    {'a': <unreadable '2026-02-30'>, 'b': [1, <unreadable '-0'>]}
    >>> [(path, str(error)) for path, error in found][1]
    (('b', 1), "x.yaml:2:8: '-0' is a negative zero: write 0, or quote it")
    """
    if len(text) > MAX_YAML_BYTES:
        raise InputError([_too_big(file)])
    try:
        if len(text) > _COUNT_NODES_OVER:
            count_nodes(text, MAX_YAML_NODES)
        return _parse(text, file, salvage)
    except DuplicateKey as exc:
        raise InputError([LoadError(file, exc.line, exc.col, "", str(exc))]) from None
    except (AliasBomb, TooManyNodes) as exc:
        raise InputError([LoadError(file, exc.line, exc.col, "", str(exc))]) from None
    except yaml.MarkedYAMLError as exc:
        raise InputError([_syntax_error(file, exc)]) from None
    except yaml.reader.ReaderError as exc:  # control characters and the like
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        message = f"character {exc.character:#06x} is not allowed in YAML"
        raise InputError([LoadError(file, line, col, "", message)]) from None
    except yaml.YAMLError as exc:
        raise InputError([LoadError(file, None, None, "", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError([LoadError(file, None, None, "", "YAML nested too deeply")]) from None


def _parse(text: str, file: str, salvage: list | None) -> tuple[object, Marks]:
    marks = Marks()
    loader = MarkedLoader(text)
    loader.salvage = [] if salvage is not None else None
    try:
        node = loader.get_single_node()
        if node is None:  # an empty file (or only comments)
            marks[()] = (1, 1)
            return None, marks
        check_aliases(node, MAX_ALIAS_NODES)
        _scan(loader, node, (), marks, set())
        data = loader.construct_document(node)
    finally:
        loader.dispose()
    if salvage is not None:
        salvage.extend(_placed(loader.salvage, marks, file))
    return data, marks


def _placed(found: list, marks: Marks, file: str) -> list[tuple[Path_, LoadError]]:
    """Each salvaged ``(line, col, message, path)`` with the JSON path of the value there
    (``path`` None: found by the mark)."""
    paths: dict[tuple[int, int], Path_] = {}
    for table in (marks.keys_at, marks):  # a value's own mark wins over its key's
        for path, mark in table.items():
            if len(path) >= len(paths.get(mark, ())):
                paths[mark] = path
    return [
        (paths.get((line, col), ()) if path is None else path, LoadError(file, line, col, "", m))
        for line, col, m, path in found
    ]


def _syntax_error(file: str, exc: yaml.MarkedYAMLError) -> LoadError:
    mark = exc.problem_mark or exc.context_mark
    line, col = _pos(mark) if mark else (None, None)
    words = [w for w in (exc.context, exc.problem) if w]
    if isinstance(exc, yaml.constructor.ConstructorError):  # the syntax is fine, a value is not
        return LoadError(file, line, col, "", ", ".join(words))
    return LoadError(file, line, col, "", "YAML syntax error: " + ", ".join(words))
