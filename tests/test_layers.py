"""Data flows one way (STYLE.md, issue 9 item 6): no module imports a layer above its own.

files -> model -> checks -> findings -> reports. Each row below names a layer, the
modules it must never import, and where the rule comes from. Imports are read
with ``ast`` from every file of the package, function-level imports included, so
a lazy ``from ..engine import run`` inside a function counts as much as one at the top.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

import consistency

PACKAGE = Path(consistency.__file__).resolve().parent
OURS = consistency.__name__


@dataclass(frozen=True)
class Layer:
    name: str  # a module or package below consistency, e.g. "text" or "model"
    forbidden: tuple[str, ...]  # modules or packages it must never import
    source: str  # where the rule comes from


LAYERS = [
    Layer("text", ("checks", "sources", "engine", "report", "cli"), "issue 9 item 6"),
    Layer("inputs", ("checks", "sources", "engine", "report", "cli"), "issue 9 item 6"),
    Layer("sources", ("checks", "engine", "report", "cli"), "STYLE.md: files come before checks"),
    Layer("checks", ("sources", "engine", "report", "cli"), "STYLE.md: the house"),
    Layer("report", ("sources", "engine", "cli"), "STYLE.md: the house"),
    Layer("registry", ("*",), "consistency/registry.py: the shape, holding no layer"),
    Layer("model", ("*",), "STYLE.md: model.py is frozen dataclasses, importing nothing of ours"),
    Layer("net", ("*",), "consistency/net: URL and header rules shared by inputs and sources"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(source: str, module: str, is_package: bool) -> set[str]:
    """Every module of ours that ``source`` (the text of ``module``) imports, absolute names.

    ``from .. import checks`` yields both ``consistency`` and ``consistency.checks``.

    >>> sorted(imported("from .. import checks\\nfrom ..model import Fact", "consistency.report.x", False))
    ['consistency', 'consistency.checks', 'consistency.model', 'consistency.model.Fact']
    """
    package = module if is_package else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {name for name in found if name == OURS or name.startswith(OURS + ".")}


def files_of(layer: str) -> list[Path]:
    folder = PACKAGE / layer
    if folder.is_dir():
        return sorted(folder.rglob("*.py"))
    single = PACKAGE / f"{layer}.py"
    return [single] if single.exists() else []


def upward(layer: Layer) -> list[str]:
    """``file: imported module`` for each import that breaks the layer's rule."""
    own = f"{OURS}.{layer.name}"
    broken = []
    for path in files_of(layer.name):
        names = imported(
            path.read_text(encoding="utf-8"), module_name(path), path.stem == "__init__"
        )
        for name in sorted(names):
            if name in (OURS, own) or name.startswith(own + "."):
                continue
            if "*" in layer.forbidden or any(
                name == f"{OURS}.{f}" or name.startswith(f"{OURS}.{f}.") for f in layer.forbidden
            ):
                broken.append(f"{path.relative_to(PACKAGE)}: {name}")
    return broken


def _name(layer) -> str:
    return (layer.values[0] if hasattr(layer, "values") else layer).name


@pytest.mark.parametrize("layer", LAYERS, ids=[_name(layer) for layer in LAYERS])
def test_no_module_imports_up_the_flow(layer):
    assert files_of(layer.name), f"no module or package {layer.name}"
    assert upward(layer) == []


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from ..engine import run", "consistency.text.facts", {"consistency.engine"}),
        ("from ... import sources", "consistency.text.deep.x", {"consistency.sources"}),
        ("    from consistency.report import html", "consistency.checks.x", set()),
        (
            "import consistency.sources.web as web",
            "consistency.checks.x",
            {"consistency.sources.web"},
        ),
        ("from . import html", "consistency.report", {"consistency.report.html"}),
    ],
    ids=["relative", "relative-package", "indented-is-not-parsed", "absolute", "package-init"],
)
def test_the_reader_resolves_imports(source, module, expected):
    """The finder itself: it sees relative and absolute imports, as a failing layer would."""
    if source.startswith(" "):
        with pytest.raises(SyntaxError):
            imported(source, module, False)
        return
    is_package = module == "consistency.report"
    assert expected <= imported(source, module, is_package)


def test_a_function_level_import_counts():
    source = "def f():\n    from ..sources import web\n    return web\n"
    assert "consistency.sources.web" in imported(source, "consistency.checks.x", False)
