"""What ``consistency audit`` imports for plain quote exports (issue 10: start-up counts).

A run over CSV quotes with no answers, chat fetchers or HTML report needs no template
engine, no fact reader and no date formatting; each row names a module such a run must
not import and the change that made it load on first use. The audit runs in a fresh
interpreter (``sys.modules`` of this one holds whatever other tests imported), and a
second row set runs the parts that do need those modules, so the first set can fail.
Then: the reports' product names reuse the price list the audit just loaded
(``inputs.price_list``), and every case where that could be wrong reads the files again.
No timings here: bench/ prints them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRICES = ROOT / "fixtures" / "demo" / "prices.yaml"

QUOTES = """id,channel,at,customer,product,amount,ref
q1,phone,2026-11-01T10:00:00,hh-1,router-install,149.00,
q2,phone,2026-11-02T11:00:00,hh-2,router-install,129.00,
"""

# What the child runs: the audit (JSON report: it chooses the reader's locale), then the
# modules it imported.
AUDIT = """
import json, sys
from consistency.cli import main
try:
    main(sys.argv[1:], prog_name="consistency")
except SystemExit as end:
    code = end.code
print(json.dumps({"exit": code, "modules": sorted(sys.modules)}))
"""

NOT_ON_THE_QUOTE_PATH = [
    # (module, why a quote-only audit does not need it: where it loads instead)
    ("jinja2", "templates: consistency.sandbox gives its environment on first use"),
    ("consistency.sandbox.environment", "the config sets only the run's limits (sandbox.limits)"),
    ("consistency.inputs.answers", "setup reads answers only when the config names some"),
    ("babel.dates", "report.i18n formats dates for the HTML report and email only"),
    ("babel.support", "report.i18n reads a catalog only for words of the HTML report"),
    ("consistency.text.facts", "facts are read from replies' text, never from a quote row"),
    ("consistency.net.urls", "the config checks URLs and allow_hosts of fetch sources only"),
]


@pytest.fixture(scope="module")
def quote_audit(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("quotes")
    (folder / "phone.csv").write_text(QUOTES, encoding="utf-8")
    config = folder / "consistency.yaml"
    config.write_text(
        f"price_list: {PRICES}\nsources:\n  - channel: phone\n    files: [phone.csv]\n",
        encoding="utf-8",
    )
    args = ["--config", str(config), "--format", "json", "--output", str(folder / "r.json")]
    return _child(AUDIT, ["audit", *args, "--fail-on", "never"], folder)


def _child(code: str, args: list[str], cwd: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_quote_audit_runs(quote_audit):
    """The run the rows below look at did its job (exit 0: --fail-on never) and did load
    what it needs, so the rows are not passing on a run that stopped early."""
    assert quote_audit["exit"] == 0
    assert {"consistency.engine", "jsonschema", "consistency.report.i18n"} <= set(
        quote_audit["modules"]
    )


@pytest.mark.parametrize(
    ("module", "why"), NOT_ON_THE_QUOTE_PATH, ids=[m for m, _ in NOT_ON_THE_QUOTE_PATH]
)
def test_a_quote_audit_does_not_import(quote_audit, module, why):
    assert module not in quote_audit["modules"], why


NEEDED_THERE = [
    # (statement, module it must import): the lazy names still lead to the real thing
    ("from consistency.sandbox import SandboxedEnvironment", "jinja2"),
    ("from consistency.sandbox import OverBudget", "jinja2"),
    (
        "from consistency.report.i18n import Formatter; Formatter('he').date(__import__('datetime').date(2026, 11, 21))",
        "babel.dates",
    ),
    ("from consistency.report.i18n import translations; translations('he')", "babel.support"),
    (
        "from consistency.answers import first_fact; first_fact('14 יום', 'duration', 'ILS')",
        "consistency.text.facts",
    ),
]


@pytest.mark.parametrize(("statement", "module"), NEEDED_THERE, ids=[m for _, m in NEEDED_THERE])
def test_where_it_is_needed_it_loads(tmp_path, statement, module):
    code = f"import json, sys\n{statement}\nprint(json.dumps({{'modules': sorted(sys.modules)}}))"
    assert module in _child(code, [], tmp_path)["modules"]


# --- the reports' product names reuse the audit's price list (inputs.price_list) ------------

PRICE_LIST = """version: "1"
currency: ILS
products:
  - {id: fiber-500, name: NAME, unit: month, price: 99.90}
"""


def _config(folder: Path, name: str = "סיב 500"):
    from consistency.inputs.config import load_config

    (folder / "prices.yaml").write_text(PRICE_LIST.replace("NAME", name), encoding="utf-8")
    path = folder / "consistency.yaml"
    path.write_text("price_list: prices.yaml\nsources: []\n", encoding="utf-8")
    return load_config(path)


def _name(price_list) -> str:
    return price_list.products["fiber-500"].name


def test_the_price_list_of_the_config_just_loaded_is_not_read_again(tmp_path):
    from consistency.inputs import load, price_list

    config = _config(tmp_path)
    loaded = load(config).price_list
    assert price_list(config) is loaded


@pytest.mark.parametrize(
    "change",
    [
        "the price list changed",
        "another config object",
        "other YAML limits",
        "other template limits",
    ],
)
def test_anything_else_reads_the_files_again(tmp_path, change):
    """Each case where reusing the last load could be wrong loads again, as ``load`` would."""
    from consistency.inputs import load, price_list, yamlio
    from consistency.sandbox import Limits, use_limits

    config = _config(tmp_path)
    loaded = load(config).price_list
    restore = lambda: None  # noqa: E731
    if change == "the price list changed":
        new = PRICE_LIST.replace("NAME", "a longer new name")  # another size: seen at once
        (tmp_path / "prices.yaml").write_text(new, encoding="utf-8")
    elif change == "another config object":
        config = _config(tmp_path)
    elif change == "other YAML limits":
        before = yamlio.use_limits(yamlio.YamlLimits(nodes=10_000))
        restore = lambda: yamlio.use_limits(before)  # noqa: E731
    else:
        before = use_limits(Limits(steps=10))
        restore = lambda: use_limits(before)  # noqa: E731
    try:
        again = price_list(config)
    finally:
        restore()
    assert again is not loaded
    expected = "a longer new name" if change == "the price list changed" else "סיב 500"
    assert _name(again) == expected


def test_a_broken_price_list_raises_as_load_does(tmp_path):
    from consistency.errors import InputError
    from consistency.inputs import load, price_list

    config = _config(tmp_path)
    load(config)
    (tmp_path / "prices.yaml").write_text("products: 7\n", encoding="utf-8")
    with pytest.raises(InputError):
        price_list(config)
