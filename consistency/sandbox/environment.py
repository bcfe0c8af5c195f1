"""The sandbox itself: jinja2's immutable sandbox with the budgets (docs/limits.md).

:class:`SandboxedEnvironment` and its hooks, the tree rewrite that adds a step to every
loop and macro body, :func:`trial_render` and :func:`template_line`. The package
docstring (:mod:`consistency.sandbox`) says what the budgets refuse; the limits and the
run's own are :mod:`consistency.sandbox.limits`, the estimates :mod:`consistency.sandbox.budget`.

>>> env = SandboxedEnvironment()
>>> env.from_string("{{ 'ab' * 2 }}").render()
'abab'
"""

from __future__ import annotations

import copy
import functools
import types
from decimal import Decimal

import jinja2
from jinja2 import meta, nodes
from jinja2.exceptions import TemplateSyntaxError
from jinja2.sandbox import (
    ImmutableSandboxedEnvironment,
    SandboxedEscapeFormatter,
    SandboxedFormatter,
)
from jinja2.visitor import NodeTransformer
from markupsafe import Markup

from .budget import (
    CURRENT,
    Budget,
    CappedText,
    OverBudget,
    TemplateFault,
    budgeted_filter,
    budgeted_test,
    capped_dumps,
    capped_pformat,
    check_number,
    check_value,
    check_width,
    estimate_binop,
    estimate_str_method,
    joined_size,
    short,
    spend,
    weight,
)
from .limits import Limits, run_limits

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
        token = CURRENT.set(Budget(env.limits))
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
            CURRENT.reset(token)


class SandboxedEnvironment(ImmutableSandboxedEnvironment):
    """jinja2's immutable sandbox with the :class:`Limits` budgets (see the module docstring).

    ``passthrough``: exception classes of the caller's own template functions, raised
    unchanged (``answers.NoPrice``). Extra keyword arguments go to jinja2's environment.
    """

    intercepted_binops = _INTERCEPTED
    intercepted_unops = frozenset({"-", "+"})
    template_class = BudgetedTemplate

    def __init__(self, *, limits: Limits | None = None, passthrough: tuple = (), **options):
        options.setdefault("finalize", self._finalize)
        super().__init__(**options)
        self._limits, self.passthrough = limits, tuple(passthrough)
        self.globals.pop("lipsum", None)  # lipsum(n=...) writes n paragraphs
        self.globals["range"] = self.budget_range
        limits_of = self._current_limits
        self.policies["json.dumps_function"] = capped_dumps(limits_of)  # |tojson
        self.filters["pprint"] = capped_pformat(limits_of)
        self.filters = {n: budgeted_filter(n, f, limits_of) for n, f in self.filters.items()}
        self.tests = {n: budgeted_test(f) for n, f in self.tests.items()}

    @property
    def limits(self) -> Limits:
        """The limits given, else those of the run (:func:`use_limits`: the config's)."""
        return self._limits if self._limits is not None else run_limits()

    def _current_limits(self) -> Limits:
        return self.limits

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
                check_number(const.value, self.limits, "a number written in the template")
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
        spend()
        estimate_binop(operator, left, right, self.limits)
        result = self.binop_table[operator](left, right)
        check_value(result, self.limits, f"{short(left)} {operator} {short(right)}")
        return result

    def call_unop(self, context, operator: str, arg):
        spend()
        return self.unop_table[operator](arg)

    def getitem(self, obj, argument):
        spend()
        result = super().getitem(obj, argument)
        if isinstance(argument, slice):
            check_value(result, self.limits, "a slice")
        return result

    def getattr(self, obj, attribute: str):
        spend()
        return super().getattr(obj, attribute)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 (jinja2's signature)
        if getattr(__obj, "__func__", None) is SandboxedEnvironment.budget_step:
            return __obj(*args)
        budget = spend()
        limits = __self.limits
        target = getattr(__obj, "__wrapped__", __obj)  # str.format comes wrapped by jinja2
        owner = getattr(target, "__self__", None)
        name = getattr(target, "__name__", None) or getattr(target, "name", "a function")
        if isinstance(owner, _METHOD_OWNERS):
            for arg in (*args, *kwargs.values()):
                check_width(arg, limits, f"{name}()")
            if isinstance(owner, str | bytes | bytearray):
                estimate_str_method(name, owner, args, kwargs, limits)
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
        check_value(result, limits, f"{name}()")
        return result

    def wrap_str_format(self, value):
        """``str.format`` and ``format_map`` as jinja2's sandbox wraps them, but each field
        written counts against :attr:`Limits.text`: ``('{0}' * 9000).format('a' * 99999)``
        stops at the limit instead of making 900 million characters."""
        if (
            not isinstance(value, types.MethodType | types.BuiltinMethodType)
            or value.__name__ not in ("format", "format_map")
            or not isinstance(value.__self__, str)
        ):  # noqa: E501
            return None
        owner, limit = value.__self__, self.limits.text
        is_map = value.__name__ == "format_map"

        def wrapper(*args, **kwargs):
            if is_map:
                if kwargs or len(args) != 1:
                    raise TypeError("format_map() takes exactly one argument")
                args, kwargs = (), args[0]
            formatter = (
                _CappedEscapeFormatter(self, limit, escape=owner.escape)
                if isinstance(owner, Markup)
                else _CappedFormatter(self, limit)
            )
            return type(owner)(formatter.vformat(owner, args, kwargs))

        return functools.update_wrapper(wrapper, value)

    # -- what the tree calls -------------------------------------------------------------------

    def budget_step(self, literal: int) -> str:
        """One loop iteration or macro call, writing ``literal`` characters of template text."""
        budget = spend()
        if budget is not None:
            budget.write(literal)
        return ""

    def budget_concat(self, *parts) -> str:
        """``a ~ b``: the text of the parts joined, refused over the text limit."""
        size = joined_size(parts, "", self.limits)
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
        budget = CURRENT.get()
        if budget is not None:
            budget.write(len(text))
        return text


class _CappedFormatter(SandboxedFormatter):
    """jinja2's sandboxed ``str.format`` formatter; the fields written so far are counted."""

    def __init__(self, env, limit: int, **kwargs):
        super().__init__(env, **kwargs)
        self.out = CappedText(limit, "format()")

    def format_field(self, value, format_spec: str) -> str:
        text = super().format_field(value, format_spec)
        self.out.write("", len(text))
        return text


class _CappedEscapeFormatter(_CappedFormatter, SandboxedEscapeFormatter):
    """The same, for ``Markup.format`` (each field escaped)."""


def trial_render(env: SandboxedEnvironment, source: str, **stand_ins) -> str:
    """Render ``source`` once, every name it reads set to its stand-in (else ``""``).

    So a template over budget fails when its config loads, not in the middle of a run:
    a checker calls this where it would only parse. Raises ``jinja2.TemplateError``.

    >>> trial_render(SandboxedEnvironment(), "{{ question }}!", question="q")
    'q!'
    >>> trial_render(SandboxedEnvironment(), "{{ range(10**9)|list }}")
    Traceback (most recent call last):
    ...
    consistency.sandbox.budget.OverBudget: range() of 1000000000 numbers; the limit is 10000
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
