"""lint on a config naming a symlink loop: a clear error and exit 2, never "internal error".

Found by the issue 12 hardening work (CWE-59/CWE-835): ``Path.resolve()`` raised
RuntimeError("Symlink loop") inside lint before the file was ever read.
"""

from __future__ import annotations

import os

from click.testing import CliRunner

from consistency.cli import main
from tests.helpers import write


def test_a_price_list_that_is_a_link_loop_is_a_clear_error(tmp_path):
    os.symlink(tmp_path / "b.yaml", tmp_path / "a.yaml")
    os.symlink(tmp_path / "a.yaml", tmp_path / "b.yaml")
    config = write(
        tmp_path / "consistency.yaml", "timezone: Asia/Jerusalem\nprice_list: a.yaml\nsources: []\n"
    )
    done = CliRunner().invoke(main, ["lint", "--config", str(config)])
    assert done.exit_code == 2, done.output
    assert "internal error" not in done.output and "Traceback" not in done.output
    assert "a.yaml" in done.output
