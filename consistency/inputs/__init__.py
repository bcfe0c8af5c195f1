"""Inputs: everything that turns YAML into frozen values, and the one door to them.

``yamlio`` (safe YAML with line marks) -> ``schema`` (JSON Schema, problems at their
line) -> ``config``, ``prices``, ``rules``, ``answers`` (each file to model values,
every problem at once), with SPEC 3's date rules in ``dates``. The door is ``setup``:

- :func:`load` ``(config) -> Setup``: channels, time zone, price book, rules and
  answers, loaded once; raises ``InputError`` with every problem of every file;
- :func:`collect` ``(config_path, files) -> (Setup | None, problems)``: the same
  loading, never raising, for ``lint``;
- :func:`price_list` ``(config) -> PriceList``: ``load(config).price_list``, without
  reading the files again when this process just loaded the same config (the product
  names of an audit's reports).

Every command goes through it, so they accept and reject the same files. Loaders take
a path or an in-memory :class:`~consistency.inputs.yamlio.Text` (``diff --base``).

Check, format and fetcher names are looked up in :mod:`consistency.registry` (``rules``
gets each check's option schema from it). Nothing here imports up the flow
(tests/test_layers.py): URL, host and header rules come from :mod:`consistency.net`,
which imports nothing of ours; a file source's reading options are :mod:`.files`.
"""

from __future__ import annotations

import os
import weakref

# The last load that passed: (the config, weakly; what it was loaded from; its price list).
_LAST: list[tuple] = []


def load(config):
    """The config's inputs as a :class:`~consistency.inputs.setup.Setup`: see ``setup.load``."""
    from .setup import load as load_setup  # here, so that ``answers`` may import ``dates``

    setup = load_setup(config)
    sources = _sources(config)
    _LAST[:] = [(weakref.ref(config), sources, setup.price_list)] if sources else []
    return setup


def price_list(config):
    """``load(config).price_list``; when the last load that passed was of this same
    ``config`` object, and every file it names and the YAML and template limits are as
    they were then, that load's price list without reading the files again (an audit's
    report names products by the list the audit just loaded). Raises as ``load`` does."""
    if _LAST:
        config_ref, sources, found = _LAST[0]
        if config_ref() is config and _sources(config) == sources:
            return found
    return load(config).price_list


def _sources(config) -> tuple | None:
    """What a load of ``config`` reads: each file it names (its size, change time and
    inode) and the limits in force; None when a file cannot be looked at."""
    from ..sandbox.limits import run_limits
    from . import yamlio

    paths = [config.price_list, *config.rules]
    if config.answers is not None:
        paths.append(config.answers)
    try:
        stats = [os.stat(path) for path in paths]
    except (OSError, ValueError, TypeError):  # TypeError: an in-memory Text, no file
        return None
    files = tuple(
        (str(p), s.st_size, s.st_mtime_ns, s.st_ino) for p, s in zip(paths, stats, strict=True)
    )
    yaml = (yamlio.MAX_YAML_BYTES, yamlio.MAX_YAML_NODES, yamlio.MAX_ALIAS_NODES)
    return files, (*yaml, yamlio.MAX_NUMBER_DIGITS), run_limits()


def collect(config_path, files=()):
    """Every problem of a config and of ``files``, never raising: see ``setup.collect``."""
    from .setup import collect as collect_all

    return collect_all(config_path, files)
