"""Every check module is registered, documented, on in rules/default.yaml, and in docs/checks.md.

Formats and fetchers live in registries of the same shape (consistency.registry):
every platform module is a format, every entry resolves, unknown names fail clearly.
"""

from __future__ import annotations

import ast
import inspect
import pkgutil
from pathlib import Path

import pytest
import yaml

from consistency import checks
from consistency.catalog import catalog
from consistency.registry import UnknownName
from consistency.sources import fetchers, formats, platforms

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(
    m.name for m in pkgutil.iter_modules(checks.__path__) if not m.name.startswith("_")
)
DEFAULT_RULES = yaml.safe_load((ROOT / "rules" / "default.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("module_name", MODULES)
def test_module_is_registered_under_its_id(module_name):
    module = checks.get(module_name.replace("_", "-"))
    assert module.__name__.endswith(module_name)
    assert module_name.replace("_", "-") == module.ID
    assert module.KIND in (checks.OBSERVATION, checks.GROUPED, checks.ENGINE)


@pytest.mark.parametrize("module_name", MODULES)
def test_module_is_documented(module_name):
    module = checks.get(module_name.replace("_", "-"))
    doc = module.__doc__ or ""
    assert doc.startswith(f"{module.ID}: "), "the docstring opens with 'id: what it finds'"
    assert "Options" in doc and ("Failing" in doc), "options and a failing example"
    assert module.OPTIONS.get("type") == "object"


def test_every_check_is_on_in_the_default_rules():
    enabled = {rule.get("check", rule["id"]) for rule in DEFAULT_RULES["rules"]}
    assert enabled == set(checks.names())


def test_unknown_check_fails_clearly():
    with pytest.raises(checks.UnknownCheck, match="unknown check 'nope'; known checks: "):
        checks.get("nope")


def test_catalog_is_current():
    committed = (ROOT / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == catalog(), "regenerate: python -m consistency.catalog > docs/checks.md"


PLATFORMS = sorted(m.name for m in pkgutil.iter_modules(platforms.__path__) if m.name[0] != "_")


@pytest.mark.parametrize("module_name", PLATFORMS)
def test_every_platform_module_is_a_registered_format(module_name):
    module = __import__(f"{platforms.__name__}.{module_name}", fromlist=["read"])
    assert formats.get(module.FORMAT) is module.read


@pytest.mark.parametrize(
    ("registry", "name"),
    [(formats, name) for name in formats.names()] + [(fetchers, n) for n in fetchers.names()],
)
def test_every_format_and_fetcher_resolves_to_a_function(registry, name):
    target = registry.get(name)
    assert (
        inspect.isfunction(target)
        and target.__name__ in ("read", "read_records")
        or (registry is fetchers and target.__name__.startswith("fetch_"))
    )


@pytest.mark.parametrize(
    ("registry", "typo", "message"),
    [
        (checks, "price-mismatsh", "unknown check 'price-mismatsh'; known checks: "),
        (formats, "intercomm", "unknown format 'intercomm'; known formats: amazon-connect"),
        (fetchers, "webb", "unknown fetcher 'webb'; known fetchers: http-chat, web; did you"),
    ],
    ids=["check", "format (issue 9: format: intercomm)", "fetcher"],
)
def test_unknown_names_fail_clearly_with_a_suggestion(registry, typo, message):
    with pytest.raises(UnknownName, match=message) as caught:
        registry.get(typo)
    assert str(caught.value).endswith("?") and caught.value.known == registry.names()


def test_nothing_registers_itself_on_import():
    """No module in the package calls a register function at import time (issue 9, item 3)."""
    package = Path(checks.__file__).resolve().parent.parent
    calls = []
    for path in package.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            value = getattr(node, "value", None)
            if isinstance(value, ast.Call) and "register" in ast.unparse(value.func).lower():
                calls.append(f"{path.name}:{node.lineno}")
    assert calls == []
