"""Every check module is registered, documented, on in rules/default.yaml, and in docs/checks.md."""

from __future__ import annotations

import pkgutil
from pathlib import Path

import pytest
import yaml

from consistency import checks
from consistency.catalog import catalog

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
