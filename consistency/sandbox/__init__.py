"""The one jinja2 sandbox for templates written in YAML, with budgets (docs/limits.md).

Approved answers (``answers.yaml``) and the ``http-chat`` request templates run
here. jinja2's ``ImmutableSandboxedEnvironment`` already refuses private
attributes and changes to lists and dicts; this module adds *budgets*, so a
template can cost only so much time and memory:

- every operator goes through :meth:`SandboxedEnvironment.call_binop` (jinja2's
  documented ``intercepted_binops`` hook): ``'a' * 10**9``, ``9 ** (9 ** 9)`` and
  ``'%999999999d' % 1`` are refused *before* they run, and no operator is folded
  at compile time;
- every call and every filter checks its arguments and its result: a text,
  list or number over the limits is refused (``'a'|center(10**9)``,
  ``(1).to_bytes(10**9)``, ``'{:>999999999}'.format(1)``);
- every loop iteration, macro call and ``caller()`` is a step; a render has a
  step budget, a nesting (recursion) budget, an output budget and a time budget;
- ``range`` yields at most :attr:`Limits.range` numbers.

Anything over budget raises :class:`OverBudget`; any other failure inside a
template (``'{a}'.format_map({})``, ``'9' * 5000 | int``) becomes a
:class:`TemplateFault`. Both are ``jinja2.TemplateError``\\ s, and
:func:`template_line` tells the line of the template where it happened, so a
caller can name file, line and column. Exceptions of the caller's own functions
(``passthrough``) go through unchanged.

>>> env = SandboxedEnvironment()
>>> env.from_string("{{ 'ab' * 2 }}").render()
'abab'
>>> env.from_string("{{ 'a' * 10**9 }}").render()
Traceback (most recent call last):
...
consistency.sandbox.OverBudget: 'a' * 1000000000 would make 1000000000 characters; the limit is 100000
"""

from __future__ import annotations

import contextvars
import copy
import functools
import re
import string
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import SecurityError, TemplateRuntimeError, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer


@dataclass(frozen=True, slots=True)
class Limits:
    """What one render may cost. The defaults are far above any real answer or chat body."""

    text: int = 100_000  # characters in any one text, items (deep) in any one list or dict
    output: int = 100_000  # characters a render writes, loops and captured blocks included
    produced: int = 1_000_000  # characters and items all operations of a render make
    number_bits: int = 128  # a whole number's size: about 38 decimal digits
    range: int = 10_000  # numbers one range() yields
    steps: int = 100_000  # loop iterations, calls, filters and operators in a render
    depth: int = 50  # calls (macros, caller(), recursive loops) inside calls
    seconds: float = 2.0  # wall time of a render
    source: int = 50_000  # characters of template source


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


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("budget", default=None)


def _spend() -> Budget | None:
    budget = _BUDGET.get()
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


def _check_number(value: object, limits: Limits, what: str) -> None:
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > limits.number_bits:
            raise OverBudget(f"{what} makes a number of {value.bit_length()} bits; "
                             f"the limit is {limits.number_bits}")  # fmt: skip
    elif (
        isinstance(value, Decimal)
        and value.is_finite()
        and value.adjusted() > limits.number_bits * 0.3
    ):
        raise OverBudget(f"{what} makes a number over the limit of {limits.number_bits} bits")


def _check_value(value: object, limits: Limits, what: str) -> None:
    """Refuse a value over the size limits; count what it costs against the render budget."""
    _check_number(value, limits, what)
    size = weight(value, limits.text)
    if size > limits.text:
        raise OverBudget(f"{what} makes over {limits.text} characters or items")
    budget = _BUDGET.get()
    if budget is not None:
        budget.make(size)


def _check_width(width: object, limits: Limits, what: str) -> None:
    if isinstance(width, int) and not isinstance(width, bool) and abs(width) > limits.text:
        raise OverBudget(f"{what}: {width} is over the limit of {limits.text}")


# --- estimating what an operation would make, before it runs ------------------------------

_PERCENT_SPEC = re.compile(
    r"""
    %                        # a conversion starts
    (?:\([^)]*\))?           # a mapping key, as in %(name)s
    [-\#0\ +]*               # flags
    (?P<width>\*|\d+)?       # a width, or * for one taken from the arguments
    (?:\.(?P<prec>\*|\d+))?  # a precision, or * likewise
    """,
    re.VERBOSE,
)


def check_percent_format(fmt: str, limits: Limits) -> None:
    """Refuse ``%`` formatting whose width or precision is over the text limit, or is ``*``.

    >>> check_percent_format("%5.2f %s %%", Limits())
    >>> check_percent_format("%999999999d", Limits())
    Traceback (most recent call last):
    ...
    consistency.sandbox.OverBudget: % format: 999999999 is over the limit of 100000
    """
    for match in _PERCENT_SPEC.finditer(fmt):
        for part in match.group("width", "prec"):
            if part == "*":
                raise OverBudget("% format: a width or precision of * is not allowed")
            if part:
                _check_width(int(part), limits, "% format")


def check_brace_format(fmt: str, limits: Limits) -> None:
    """Refuse ``str.format`` specs whose width or precision is over the text limit, or nested.

    >>> check_brace_format("{0:>10} {name:.2f}", Limits())
    >>> check_brace_format("{:>999999999}", Limits())
    Traceback (most recent call last):
    ...
    consistency.sandbox.OverBudget: format: 999999999 is over the limit of 100000
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
            _check_width(int(digits), limits, "format")


def _estimate_binop(op: str, left, right, limits: Limits) -> None:
    what = f"{_short(left)} {op} {_short(right)}"
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
        check_percent_format(left, limits)
    for side in (left, right):
        if op in ("%", "+") and weight(side, limits.text) > limits.text:
            raise OverBudget(f"{what}: an operand is over {limits.text} characters or items")


def _short(value: object) -> str:
    text = repr(value) if isinstance(value, str | int | float) else type(value).__name__
    return text if len(text) <= 20 else text[:17] + "..."


def _estimate_str_method(name: str, owner, args, kwargs, limits: Limits) -> None:
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
        size = _joined_size(args[0], owner, limits)
    elif name == "translate" and args and isinstance(args[0], Mapping):
        longest = max((len(v) for v in args[0].values() if isinstance(v, str)), default=1)
        size *= max(longest, 1)
    elif name in ("format", "format_map"):
        check_brace_format(owner, limits)
    if size > limits.text:
        raise OverBudget(f"{name}() would make {size} characters; the limit is {limits.text}")


def _joined_size(items: Iterable, separator, limits: Limits) -> int:
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
        _check_width(arg, limits, f"|{name}")
    if name == "format" and isinstance(value, str):
        check_percent_format(value, limits)
    elif name == "replace" and isinstance(value, str) and len(args) >= 2:
        _estimate_str_method("replace", value, args[:2], {}, limits)
    elif name == "join":
        value = list(value)
        separator = str(args[0] if args else kwargs.get("d", ""))
        _raise_if_over(_joined_size(value, separator, limits), limits, name)
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
        _raise_if_over(_joined_size(value, "", limits), limits, name)
    elif name in ("string", "pprint", "tojson", "urlencode", "xmlattr", "list"):
        _raise_if_over(weight(value, limits.text), limits, name)
    return value, args


def _raise_if_over(size: int, limits: Limits, name: str) -> None:
    if size > limits.text:
        raise OverBudget(f"|{name} would make over {limits.text} characters or items")


def _budgeted_filter(name: str, func: Callable, limits: Limits) -> Callable:
    """``func`` checked before (arguments) and after (result); each call is a step."""
    passes_first = getattr(func, "jinja_pass_arg", None) is not None  # env or context first

    @functools.wraps(func)
    def checked(*args, **kwargs):
        _spend()
        lead, rest = (args[:1], args[1:]) if passes_first else ((), args)
        if rest:
            value, extra = _estimate_filter(name, rest[0], tuple(rest[1:]), kwargs, limits)
            rest = (value, *extra)
        result = func(*lead, *rest, **kwargs)
        _check_value(result, limits, f"|{name}")
        return result

    return checked


def _budgeted_test(func: Callable) -> Callable:
    @functools.wraps(func)
    def checked(*args, **kwargs):
        _spend()
        return func(*args, **kwargs)

    return checked


# --- the tree: a step at every loop iteration and macro call; checked ``~`` ------------------


def _literal_size(body: list[nodes.Node]) -> int:
    """Characters of literal text one pass of ``body`` writes (nested loops count their own)."""
    size, stack = 0, list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, nodes.TemplateData):
            size += len(node.data)
        elif not isinstance(node, nodes.For | nodes.Macro | nodes.CallBlock):
            stack.extend(node.iter_child_nodes())
    return size


class _Budgeter(NodeTransformer):
    """Adds ``environment.budget_step(n)`` to each loop and macro body; routes ``~`` through
    ``environment.budget_concat``. Both are reached only through sandboxed calls."""

    def __init__(self, env: jinja2.Environment):
        self.env = env

    def _call(self, name: str, args: list[nodes.Expr], lineno: int) -> nodes.Call:
        call = nodes.Call(nodes.EnvironmentAttribute(name), args, [], None, None, lineno=lineno)
        call.set_lineno(lineno)
        call.set_environment(self.env)
        return call

    def _step_body(self, node):
        self.generic_visit(node)
        step = self._call("budget_step", [nodes.Const(_literal_size(node.body))], node.lineno)
        output = nodes.Output([step], lineno=node.lineno)
        output.set_environment(self.env)
        node.body.insert(0, output)
        return node

    visit_For = visit_Macro = visit_CallBlock = _step_body

    def visit_Concat(self, node: nodes.Concat):
        self.generic_visit(node)
        return self._call("budget_concat", node.nodes, node.lineno)


# --- the environment ------------------------------------------------------------------------


_INTERCEPTED = frozenset({"+", "-", "*", "/", "//", "%", "**"})
_METHOD_OWNERS = (str, bytes, bytearray, int, float, Decimal, list, tuple, dict, set, frozenset)


class BudgetedTemplate(jinja2.Template):
    """A template whose ``render`` runs under a fresh :class:`Budget`."""

    def render(self, *args, **kwargs) -> str:
        env = self.environment
        token = _BUDGET.set(Budget(env.limits))
        try:
            return super().render(*args, **kwargs)
        except jinja2.TemplateError:
            raise
        except env.passthrough:
            raise
        except RecursionError:
            raise OverBudget("nested too deeply") from None
        except MemoryError:
            raise OverBudget("out of memory") from None
        except Exception as exc:  # a Python error inside the template: the template's fault
            fault = TemplateFault(f"{type(exc).__name__}: {exc}")
            fault.__traceback__ = exc.__traceback__
            raise fault from None
        finally:
            _BUDGET.reset(token)


class SandboxedEnvironment(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with the :class:`Limits` budgets (see the module docstring).

    ``passthrough``: exception classes of the caller's own template functions, raised
    unchanged (``answers.NoPrice``). Extra keyword arguments go to jinja2's environment.
    """

    intercepted_binops = _INTERCEPTED
    intercepted_unops = frozenset({"-", "+"})
    template_class = BudgetedTemplate

    def __init__(self, *, limits: Limits = Limits(), passthrough: tuple = (), **options):
        options.setdefault("finalize", self._finalize)
        super().__init__(**options)
        self.limits, self.passthrough = limits, tuple(passthrough)
        self.globals.pop("lipsum", None)  # lipsum(n=...) writes n paragraphs
        self.globals["range"] = self.budget_range
        self.filters = {n: _budgeted_filter(n, f, limits) for n, f in self.filters.items()}
        self.tests = {n: _budgeted_test(f) for n, f in self.tests.items()}

    # -- parsing and compiling: limits on the source, steps in the tree -------------------

    def parse(self, source: str, name: str | None = None, filename: str | None = None):
        """Parse like jinja2; refuse a source over the limit, nested too deeply, or with a
        number over the limit written in it (so checking a template by parsing it catches
        these)."""
        if len(source) > self.limits.source:
            raise TemplateSyntaxError(
                f"the template is {len(source)} characters; the limit is {self.limits.source}", 1
            )
        try:
            tree = super().parse(source, name, filename)
        except RecursionError:
            raise TemplateSyntaxError("the template is nested too deeply", 1) from None
        except ValueError as exc:  # a number literal too long for Python to read
            raise TemplateSyntaxError(f"cannot read the template: {exc}", 1) from None
        for const in tree.find_all(nodes.Const):
            try:
                _check_number(const.value, self.limits, "a number written in the template")
            except OverBudget as exc:
                raise TemplateSyntaxError(str(exc), const.lineno) from None
        return tree

    def compile(self, source, name=None, filename=None, raw=False, defer_init=False):
        """Compile like jinja2, after adding the steps and checks to a copy of the tree."""
        tree = self.parse(source, name, filename) if isinstance(source, str) else source
        try:
            tree = _Budgeter(self).visit(copy.deepcopy(tree, {id(self): self}))
            return super().compile(tree, name, filename, raw, defer_init)
        except RecursionError:
            raise TemplateSyntaxError("the template is nested too deeply", 1) from None

    # -- the hooks jinja2 calls --------------------------------------------------------------

    def call_binop(self, context, operator: str, left, right):
        _spend()
        _estimate_binop(operator, left, right, self.limits)
        result = self.binop_table[operator](left, right)
        _check_value(result, self.limits, f"{_short(left)} {operator} {_short(right)}")
        return result

    def call_unop(self, context, operator: str, arg):
        _spend()
        return self.unop_table[operator](arg)

    def getitem(self, obj, argument):
        _spend()
        result = super().getitem(obj, argument)
        if isinstance(argument, slice):
            _check_value(result, self.limits, "a slice")
        return result

    def getattr(self, obj, attribute: str):
        _spend()
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja2's signature)
        if getattr(__obj, "__func__", None) is SandboxedEnvironment.budget_step:
            return __obj(*args)
        budget = _spend()
        limits = __self.limits
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by jinja2
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", None) or getattr(target, "name", "a function")
        if isinstance(owner, _METHOD_OWNERS):
            for arg in (*args, *kwargs.values()):
                _check_width(arg, limits, f"{name}()")
            if isinstance(owner, str | bytes | bytearray):
                _estimate_str_method(name, owner, args, kwargs, limits)
        for arg in (*args, *kwargs.values()):
            if weight(arg, limits.text) > limits.text:
                raise OverBudget(f"{name}(): an argument is over {limits.text} characters or items")
        if budget is not None:
            budget.depth += 1
            if budget.depth > limits.depth:
                raise OverBudget(f"calls nested more than {limits.depth} deep (recursion?)")
        try:
            result = super().call(__context, __obj, *args, **kwargs)
        finally:
            if budget is not None:
                budget.depth -= 1
        _check_value(result, limits, f"{name}()")
        return result

    # -- what the tree calls -------------------------------------------------------------------

    def budget_step(self, literal: int) -> str:
        """One loop iteration or macro call, writing ``literal`` characters of template text."""
        budget = _spend()
        if budget is not None:
            budget.write(literal)
        return ""

    def budget_concat(self, *parts) -> str:
        """``a ~ b``: the text of the parts joined, refused over the text limit."""
        size = _joined_size(parts, "", self.limits)
        if size > self.limits.text:
            raise OverBudget(f"~ would make over {self.limits.text} characters")
        return "".join(map(str, parts))

    def budget_range(self, *args: int) -> range:
        """``range()`` of at most :attr:`Limits.range` numbers."""
        numbers = range(*args)
        if len(numbers) > self.limits.range:
            raise OverBudget(f"range() of {len(numbers)} numbers; the limit is {self.limits.range}")
        return numbers

    def _finalize(self, value):
        """Every ``{{ ... }}`` output: refused over the text limit, counted against the output."""
        if weight(value, self.limits.text) > self.limits.text:
            raise OverBudget(f"an output over {self.limits.text} characters")
        text = value if isinstance(value, str) else str(value)
        budget = _BUDGET.get()
        if budget is not None:
            budget.write(len(text))
        return text


def trial_render(env: SandboxedEnvironment, source: str, **stand_ins) -> str:
    """Render ``source`` once, every name it reads set to its stand-in (else ``""``).

    So a template over budget fails when its config loads, not in the middle of a run:
    a checker calls this where it would only parse. Raises ``jinja2.TemplateError``.

    >>> trial_render(SandboxedEnvironment(), "{{ question }}!", question="q")
    'q!'
    >>> trial_render(SandboxedEnvironment(), "{{ range(10**9)|list }}")
    Traceback (most recent call last):
    ...
    consistency.sandbox.OverBudget: range() of 1000000000 numbers; the limit is 10000
    """
    tree = env.parse(source)
    names = meta.find_undeclared_variables(tree) - set(env.globals)
    return env.from_string(tree).render({name: stand_ins.get(name, "") for name in names})


def template_line(exc: BaseException) -> int | None:
    """The line of the template where ``exc`` was raised, when jinja2's traceback tells it."""
    line = getattr(exc, "lineno", None)
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
