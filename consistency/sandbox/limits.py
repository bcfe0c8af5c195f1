"""What one template render may cost (docs/limits.md), and the limits of this run.

:class:`Limits` and :func:`use_limits` need no jinja2, so reading a config (which sets
the run's limits from its ``limits: templates:``) does not load the template engine; the
sandbox that spends against them is :mod:`consistency.sandbox.environment`.

>>> before = use_limits(Limits(steps=10))
>>> run_limits().steps
10
>>> use_limits(before) == Limits(steps=10), run_limits() == DEFAULT_LIMITS
(True, True)
"""

from __future__ import annotations

from dataclasses import dataclass


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


DEFAULT_LIMITS = Limits()
_RUN_LIMITS = [DEFAULT_LIMITS]  # the limits of this run: the config's ``limits: templates:``


def use_limits(limits: Limits | None) -> Limits:
    """Set the limits of every environment made without its own (None: the defaults), from
    now on in this process (and the workers it forks); returns the ones before.

    The config's ``limits: templates:`` sets them when it is read, so ``lint`` and
    ``audit`` render answers and chat templates under the same budget (docs/limits.md).
    """
    before = _RUN_LIMITS[0]
    _RUN_LIMITS[0] = limits or DEFAULT_LIMITS
    return before


def run_limits() -> Limits:
    """The limits :func:`use_limits` set last (the defaults before any)."""
    return _RUN_LIMITS[0]
