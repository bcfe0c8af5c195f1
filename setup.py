"""Build hook: ship the default rule set and the demo company inside the package.

They live at the top of the repository (``rules/``, ``fixtures/demo/``), where
people read and edit them; a wheel carries them as ``consistency/rules/`` and
``consistency/demo_company/``, where ``config.default_rules()`` and
``consistency demo`` look when nothing sits beside the package.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).parent
SHIPPED = {"rules": "consistency/rules", "fixtures/demo": "consistency/demo_company"}


class BuildWithData(build_py):
    def run(self):
        super().run()
        for source, target in SHIPPED.items():
            destination = Path(self.build_lib) / target
            shutil.copytree(
                HERE / source,
                destination,
                dirs_exist_ok=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "generate.py"),
            )


setup(cmdclass={"build_py": BuildWithData})
