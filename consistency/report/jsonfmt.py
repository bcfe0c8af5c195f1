"""The JSON report: exactly ``Result.to_dict()`` (SPEC 6, ``consistency/report@1``)."""

from __future__ import annotations

import json

from ..result import Result
from .base import Reporter


class JsonReporter(Reporter):
    NAME = "json"
    SUFFIX = ".json"

    def run(self, result: Result) -> None:
        """The whole result at once: the JSON shape is the result's, not a per-finding stream."""
        json.dump(result.to_dict(), self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")
