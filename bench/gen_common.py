"""What the quote generators share: the demo company's list prices, its config, the CLI.

``gen_quotes`` (one stream of quotes) and ``gen_channels`` (one file per channel)
both write quotes against the demo price list and a ``consistency.yaml`` naming
their files, and both take ``N OUT_FOLDER`` and print the config's path.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
PRICES = {  # the demo list prices in November 2026 (fixtures/demo/prices.yaml)
    "fiber-500": "99.90",
    "fiber-1000": "129.90",
    "fiber-200": "79.90",
    "router-install": "149.00",
    "mesh-unit": "19.90",
    "tv-basic": "59.90",
    "mobile-unlimited": "39.90",
    "static-ip": "25.00",
    "tech-visit": "189.00",
}
CHANNELS = ("web", "phone", "chat")


def write_config(out: Path, sources: Iterable[tuple[str, str]]) -> Path:
    """``out/consistency.yaml``: the demo price list and one file source per
    ``(channel, file)``; returns its path."""
    entries = "".join(f"  - channel: {ch}\n    files: [{file}]\n" for ch, file in sources)
    config = out / "consistency.yaml"
    config.write_text(
        f"timezone: Asia/Jerusalem\nprice_list: {DEMO / 'prices.yaml'}\nsources:\n{entries}",
        encoding="utf-8",
    )
    return config


def main(doc: str, write: Callable[..., Path], add_options: Callable = lambda parser: None):
    """``N OUT_FOLDER`` and the generator's own options (``add_options(parser)``, each
    passed to ``write`` by its name); prints the config ``write`` returns."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    add_options(parser)
    print(write(**vars(parser.parse_args())))
