"""What a template may cost, and what an operation would cost before it runs.

:class:`Budget`, what one render has spent of its :class:`~.limits.Limits` (held
in the context variable :data:`CURRENT`), and the estimates the sandbox's hooks
call: the size of a value, of ``'%999d' % 1`` or ``'{:>999}'.format(1)``, of an
operator's or a string method's result, and budgeted filters and tests. Going
over raises :class:`OverBudget`; :mod:`consistency.sandbox` wires these into jinja2.
"""

from __future__ import annotations

import contextvars
import functools
import json
import math
import pprint
import re
import string
import time
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal

from jinja2.exceptions import SecurityError, TemplateRuntimeError

from .limits import Limits


class OverBudget(SecurityError):
    """A template would go over one of the :class:`Limits`."""


class TemplateFault(TemplateRuntimeError):
    """A template failed while rendering (a Python error inside it, not a bug of ours)."""


# --- the budget of one render -------------------------------------------------------------


class Budget:
    """What a render has spent so far; one per render, in a context variable."""

    def __init__(self, limits: Limits):
        self.limits = limits
        self.steps = self.output = self.produced = self.depth = 0
        self.deadline = time.monotonic() + limits.seconds

    def step(self, count: int = 1) -> None:
        self.steps += count
        if self.steps > self.limits.steps:
            raise OverBudget(f"more than {self.limits.steps} steps (loop iterations and calls)")
        if time.monotonic() > self.deadline:
            raise OverBudget(f"rendering took more than {self.limits.seconds:g} s")

    def write(self, characters: int) -> None:
        self.output += characters
        if self.output > self.limits.output:
            raise OverBudget(f"the output would be over {self.limits.output} characters")

    def make(self, amount: int) -> None:
        self.produced += amount
        if self.produced > self.limits.produced:
            raise OverBudget(
                f"the operations would make over {self.limits.produced} characters and items"
            )


CURRENT: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


def spend() -> Budget | None:
    budget = CURRENT.get()
    if budget is not None:
        budget.step()
    return budget


# --- sizes --------------------------------------------------------------------------------


def weight(value: object, limit: int) -> int:
    """Characters and items ``value`` holds, counted deeply (shared parts each time seen).

    Stops counting once over ``limit``: the cost is at most about ``limit`` steps.

    >>> weight("abc", 100), weight(["ab", ["c"]], 100), weight([[1] * 50] * 50, 100) > 100
    (3, 5, True)
    """
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, int):
            total += 1 + item.bit_length() // 64
        elif isinstance(item, list | tuple | set | frozenset | dict):
            total += 1
            stack.extend(item.items() if isinstance(item, dict) else item)
        else:
            total += 1
    return total


def check_number(value: object, limits: Limits, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > limits.number_bits:
            raise OverBudget(f"{what} makes a number of {value.bit_length()} bits; "
                             f"the limit is {limits.number_bits}")  # fmt: skip
    elif isinstance(value, float | Decimal) and not _finite(value):
        raise OverBudget(f"{what} makes {value}, not a finite number")  # 1e308 * 10
    elif isinstance(value, Decimal) and value.adjusted() > limits.number_bits * 0.3:
        raise OverBudget(f"{what} makes a number over the limit of {limits.number_bits} bits")


def _finite(value: float | Decimal) -> bool:
    return value.is_finite() if isinstance(value, Decimal) else math.isfinite(value)


def check_value(value: object, limits: Limits, what: str) -> None:
    """Refuse a value over the size limits; count what it costs against the render budget."""
    check_number(value, limits, what)
    size = weight(value, limits.text)
    if size > limits.text:
        raise OverBudget(f"{what} makes over {limits.text} characters or items")
    budget = CURRENT.get()
    if budget is not None:
        budget.make(size)


def check_width(width: object, limits: Limits, what: str) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > limits.text:
        raise OverBudget(f"{what}: {width} is over the limit of {limits.text}")


# --- estimating what an operation would make, before it runs ------------------------------

_PERCENT_SPEC = re.compile(
    r"""
    %                        # a conversion starts
    (?:\((?P<key>[^)]*)\))?  # a mapping key, as in %(name)s
    [-\#0\ +]*               # flags
    (?P<width>\*|\d+)?       # a width, or * for one taken from the arguments
    (?:\.(?P<prec>\*|\d+))?  # a precision, or * likewise
    [hlL]?(?P<conv>[a-zA-Z%])?  # the conversion: s, r, a, d, f, %% ...
    """,
    re.VERBOSE,
)
_NUMBER_TEXT = 330  # the longest a number is written: '%f' % 1e308 has 309 digits
_AS_TEXT = {"s": str, "r": repr, "a": ascii}


def check_percent_format(fmt: str, limits: Limits, args: object = ()) -> None:
    """Refuse ``fmt % args`` whose width or precision is over the text limit, or is ``*``,
    or whose conversions together would write over the text limit: widths add up
    (``'%99999d' * 9000``), and a mapping key may be used again and again
    (``'%(a)s' * 9000 % {'a': 'x' * 99999}``), so each conversion counts what it writes.

    >>> check_percent_format("%5.2f %s %%", Limits(), (3.14, "x"))
    >>> check_percent_format("%999999999d", Limits())
    Traceback (most recent call last):
    ...
    consistency.sandbox.budget.OverBudget: % format: 999999999 is over the limit of 100000
    >>> check_percent_format("%(a)s" * 20, Limits(), {"a": "x" * 9999})
    Traceback (most recent call last):
    ...
    consistency.sandbox.budget.OverBudget: % format would make over 100000 characters
    """
    mapping = args if isinstance(args, Mapping) else {}
    values = args if isinstance(args, tuple) else (args,)
    sizes: dict[tuple, int] = {}  # a value's written size, once per argument and conversion
    total, position = len(fmt), 0
    for match in _PERCENT_SPEC.finditer(fmt):
        conv = match.group("conv")
        if conv == "%":
            continue
        for part in match.group("width", "prec"):
            if part == "*":
                raise OverBudget("% format: a width or precision of * is not allowed")
            if part:
                check_width(int(part), limits, "% format")
                total += int(part)
        key = match.group("key")
        slot = ("key", key) if key is not None else ("at", position)
        if key is None:
            position += 1
        if (slot, conv) not in sizes:
            value = mapping.get(key) if key is not None else _nth(values, slot[1])
            sizes[slot, conv] = _written(value, conv)
        total += sizes[slot, conv]
        if total > limits.text:
            raise OverBudget(f"% format would make over {limits.text} characters")


def _nth(values: tuple, index: int) -> object:
    return values[index] if index < len(values) else None


def _written(value: object, conv: str | None) -> int:
    """Characters one ``%`` conversion writes for ``value``, besides its width."""
    if value is None:
        return 4
    if conv in _AS_TEXT:
        return len(_AS_TEXT[conv](value))
    return _NUMBER_TEXT


def check_brace_format(fmt: str, limits: Limits) -> None:
    """Refuse ``str.format`` specs whose width or precision is over the text limit, or nested.

    >>> check_brace_format("{0:>10} {name:.2f}", Limits())
    >>> check_brace_format("{:>999999999}", Limits())
    Traceback (most recent call last):
    ...
    consistency.sandbox.budget.OverBudget: format: 999999999 is over the limit of 100000
    """
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError as exc:
        raise TemplateFault(f"bad format string: {exc}") from None
    for _, _, spec, _ in fields:
        if not spec:
            continue
        if "{" in spec:
            raise OverBudget("format: a nested {} inside a format spec is not allowed")
        for digits in re.findall(r"\d+", spec):
            check_width(int(digits), limits, "format")


def estimate_binop(op: str, left, right, limits: Limits) -> None:
    what = f"{short(left)} {op} {short(right)}"
    for side in (left, right):
        if op in ("%", "+") and weight(side, limits.text) > limits.text:
            raise OverBudget(f"{what}: an operand is over {limits.text} characters or items")
    if op == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(times, int):
                size = weight(seq, limits.text) * max(times, 0)
                if size > limits.text:
                    raise OverBudget(f"{what} would make {size} characters; "
                                     f"the limit is {limits.text}")  # fmt: skip
    elif op == "**" and isinstance(left, int) and isinstance(right, int):
        bits = max(left.bit_length(), 1) * max(right, 0)
        if abs(left) > 1 and bits > limits.number_bits:
            raise OverBudget(f"{what} would make a number of about {bits} bits; "
                             f"the limit is {limits.number_bits}")  # fmt: skip
    elif op == "%" and isinstance(left, str):
        check_percent_format(left, limits, right)


def short(value: object) -> str:
    text = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    return text if len(text) <= 20 else text[:17] + "..."


def estimate_str_method(name: str, owner, args, kwargs, limits: Limits) -> None:
    """Refuse a str (or bytes) method call that would make a text over the limit."""
    size = len(owner)
    if name == "replace" and len(args) >= 2:
        old, new = args[0], args[1]
        hits = size + 1 if not old else owner.count(old)
        size += hits * max(len(new) - len(old), 0)
    elif name == "expandtabs":
        tab = args[0] if args else kwargs.get("tabsize", 8)
        size += owner.count("\t" if isinstance(owner, str) else b"\t") * max(int(tab), 0)
    elif name == "join" and args:
        size = joined_size(args[0], owner, limits)
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        size *= max(longest, 1)
    elif name in ("format", "format_map"):
        check_brace_format(owner, limits)
    if size > limits.text:
        raise OverBudget(f"{name}() would make {size} characters; the limit is {limits.text}")


def joined_size(items: Iterable, separator, limits: Limits) -> int:
    size = 0
    for count, item in enumerate(items):
        size += weight(item, limits.text) + (len(separator) if count else 0)
        if size > limits.text:
            break
    return size


# --- filters ------------------------------------------------------------------------------


def _estimate_filter(name: str, value, args: tuple, kwargs: dict, limits: Limits) -> tuple:
    """Refuse a filter call that would be over budget; returns the (maybe listed) arguments."""
    for arg in (*args, *kwargs.values()):
        check_width(arg, limits, f"|{name}")
    if name == "format" and isinstance(value, str):
        check_percent_format(value, limits, kwargs or args)
    elif name == "urlize" and isinstance(value, str):
        extra = sum(len(str(kwargs.get(k) or "")) for k in ("target", "rel"))
        extra += sum(len(str(a)) for a in args[2:] if isinstance(a, str))  # target, rel
        links = len(value.split())  # each word may become a link with its attributes
        _raise_if_over(2 * len(value) + links * (extra + 64), limits, name)
    elif name == "replace" and isinstance(value, str) and len(args) >= 2:
        estimate_str_method("replace", value, args[:2], {}, limits)
    elif name == "join":
        value = list(value)
        separator = str(args[0] if args else kwargs.get("d", ""))
        _raise_if_over(joined_size(value, separator, limits), limits, name)
    elif name == "indent" and isinstance(value, str):
        width = args[0] if args else kwargs.get("width", 4)
        pad = len(width) if isinstance(width, str) else int(width)
        _raise_if_over(len(value) + (value.count("\n") + 1) * pad, limits, name)
    elif name == "wordwrap" and isinstance(value, str):
        width = max(int(args[0] if args else kwargs.get("width", 79)), 1)
        wrap = kwargs.get("wrapstring") or (args[2] if len(args) > 2 else None) or "\n"
        _raise_if_over(len(value) + (len(value) // width + 1) * len(str(wrap)), limits, name)
    elif name == "sum" and not isinstance(value, str):
        value = list(value)
        _raise_if_over(joined_size(value, "", limits), limits, name)
    elif name in ("string", "pprint", "tojson", "urlencode", "xmlattr", "list"):
        _raise_if_over(weight(value, limits.text), limits, name)
    return value, args


def _raise_if_over(size: int, limits: Limits, name: str) -> None:
    if size > limits.text:
        raise OverBudget(f"|{name} would make over {limits.text} characters or items")


def budgeted_filter(name: str, func: Callable, limits_of: Callable[[], Limits]) -> Callable:
    """``func`` checked before (arguments) and after (result); each call is a step.
    ``limits_of()`` gives the limits in force when it is called."""
    passes_first = getattr(func, "jinja_pass_arg", None) is not None  # env or context first

    @functools.wraps(func)
    def checked(*args, **kwargs):
        spend()
        limits = limits_of()
        lead, rest = (args[:1], args[1:]) if passes_first else ((), args)
        if rest:
            value, extra = _estimate_filter(name, rest[0], tuple(rest[1:]), kwargs, limits)
            rest = (value, *extra)
        result = func(*lead, *rest, **kwargs)
        check_value(result, limits, f"|{name}")
        return result

    return checked


def budgeted_test(func: Callable) -> Callable:
    @functools.wraps(func)
    def checked(*args, **kwargs):
        spend()
        return func(*args, **kwargs)

    return checked


# --- writers that stop at the limit: what a filter makes is sized as it is written ------------


class CappedText:
    """A text stream that refuses to grow over ``limit`` characters (``what`` names the
    writer), so a serializer stops before it makes a huge text, not after.

    >>> out = CappedText(5, "|x"); out.write("abc"); out.write("de"); out.getvalue()
    'abcde'
    >>> out.write("f")
    Traceback (most recent call last):
    ...
    consistency.sandbox.budget.OverBudget: |x would make over 5 characters
    """

    def __init__(self, limit: int, what: str, slack: int = 0):
        self.limit, self.what, self.slack = limit, what, slack
        self.parts: list[str] = []
        self.size = 0

    def write(self, text: str, extra: int = 0) -> None:
        self.size += len(text) + extra
        if self.size > self.limit + self.slack:
            raise OverBudget(f"{self.what} would make over {self.limit} characters")
        self.parts.append(text)

    def getvalue(self) -> str:
        return "".join(self.parts)


def nesting(value: object, limit: int) -> int:
    """How deep lists and mappings nest in ``value`` (0 for a scalar); looks at about
    ``limit`` items at most."""
    deepest, seen, stack = 0, 0, [(value, 0)]
    while stack and seen <= limit:
        item, depth = stack.pop()
        seen += 1
        if isinstance(item, list | tuple | dict | set | frozenset):
            deepest = max(deepest, depth + 1)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


def capped_dumps(limits_of: Callable[[], Limits]) -> Callable[..., str]:
    """A ``json.dumps`` for jinja2's ``json.dumps_function`` policy (the ``tojson`` filter)
    that writes at most :attr:`Limits.text` characters, counting the ``<>&'`` that
    ``tojson`` then escapes six characters long. An ``indent`` is checked against how deep
    the value nests first: ``[[[...]]]|tojson(indent=99999)`` writes depth × indent spaces
    on one line."""

    def dumps(obj: object, **kwargs) -> str:
        limits = limits_of()
        indent = kwargs.get("indent")
        width = len(indent) if isinstance(indent, str) else int(indent or 0)
        if width and nesting(obj, limits.text) * width > limits.text:
            raise OverBudget(f"|tojson: indent {width} at nesting "
                             f"{nesting(obj, limits.text)} is over {limits.text} characters")  # fmt: skip
        out = CappedText(limits.text, "|tojson")
        for chunk in json.JSONEncoder(**kwargs).iterencode(obj):
            out.write(chunk, 5 * sum(map(chunk.count, "<>&'")))
        return out.getvalue()

    return dumps


def capped_pformat(limits_of: Callable[[], Limits]) -> Callable[[object], str]:
    """jinja2's ``pprint`` filter (``pprint.pformat``), written into a :class:`CappedText`:
    a mapping's key indents every line of its value, so ``{'k' * 50000: long_list}``
    would make billions of characters."""

    def do_pprint(value: object) -> str:
        out = CappedText(limits_of().text, "|pprint", slack=1)  # the newline pprint() ends with
        pprint.PrettyPrinter(stream=out).pprint(value)
        return out.getvalue()[:-1]  # pprint() ends with a newline, pformat() does not

    return do_pprint
