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

The package is in three parts: :mod:`~consistency.sandbox.limits` (the limits and the
run's own, no jinja2), :mod:`~consistency.sandbox.budget` (the budget of a render and
the estimates of what operations cost) and :mod:`~consistency.sandbox.environment` (the
environment and its hooks). Its names are here; those of the environment load jinja2 on
first use, so a run without templates (a config without answers or chat fetchers) never
imports it.

>>> from consistency.sandbox import SandboxedEnvironment
>>> env = SandboxedEnvironment()
>>> env.from_string("{{ 'ab' * 2 }}").render()
'abab'
>>> env.from_string("{{ 'a' * 10**9 }}").render()
Traceback (most recent call last):
...
consistency.sandbox.budget.OverBudget: 'a' * 1000000000 would make 1000000000 characters; the limit is 100000
"""

from __future__ import annotations

from .limits import Limits, use_limits

__all__ = [
    "BudgetedTemplate",
    "Limits",
    "OverBudget",
    "SandboxedEnvironment",
    "TemplateFault",
    "template_line",
    "trial_render",
    "use_limits",
]

_BUDGET = frozenset({"OverBudget", "TemplateFault"})
_ENVIRONMENT = frozenset(
    {"BudgetedTemplate", "SandboxedEnvironment", "template_line", "trial_render"}
)


def __getattr__(name: str):
    """The names that need jinja2, imported on first use (PEP 562)."""
    if name in _BUDGET:
        from . import budget

        return getattr(budget, name)
    if name in _ENVIRONMENT:
        from . import environment

        return getattr(environment, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
