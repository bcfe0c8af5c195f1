"""Inputs: everything that turns YAML into frozen values, and the one door to them.

``yamlio`` (safe YAML with line marks) -> ``schema`` (JSON Schema, problems at their
line) -> ``config``, ``prices``, ``rules``, ``answers`` (each file to model values,
every problem at once), with SPEC 3's date rules in ``dates``. The door is ``setup``:

- :func:`load` ``(config) -> Setup``: channels, time zone, price book, rules and
  answers, loaded once; raises ``InputError`` with every problem of every file;
- :func:`collect` ``(config_path, files) -> (Setup | None, problems)``: the same
  loading, never raising, for ``lint``.

Every command goes through it, so they accept and reject the same files. Loaders take
a path or an in-memory :class:`~consistency.inputs.yamlio.Text` (``diff --base``).

Check, format and fetcher names are looked up in :mod:`consistency.registry` (``rules``
gets each check's option schema from it). Nothing here imports up the flow
(tests/test_layers.py): URL, host and header rules come from :mod:`consistency.net`,
which imports nothing of ours; a file source's reading options are :mod:`.files`.
"""

from __future__ import annotations


def load(config):
    """The config's inputs as a :class:`~consistency.inputs.setup.Setup`: see ``setup.load``."""
    from .setup import load as load_setup  # here, so that ``answers`` may import ``dates``

    return load_setup(config)


def collect(config_path, files=()):
    """Every problem of a config and of ``files``, never raising: see ``setup.collect``."""
    from .setup import collect as collect_all

    return collect_all(config_path, files)
