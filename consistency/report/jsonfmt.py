"""The JSON report: ``Result.to_dict()`` (SPEC 6, ``consistency/report@1``), and in its
``run`` section the reader's ``locale`` and the price list's product names (``products``:
id -> name) when the command knows them, so ``report``, ``email`` and ``notify`` on a saved
result moved away from its config still speak the run's language and name its products
(both optional: older results without them still read)."""

from __future__ import annotations

import json

from ..result import Result
from .base import Reporter


class JsonReporter(Reporter):
    NAME = "json"
    SUFFIX = ".json"
    OPTIONS = {"locale": None, "names": None}  # the run's reader locale; product id -> name

    def run(self, result: Result) -> None:
        """The whole result at once: the JSON shape is the result's, not a per-finding stream."""
        shown = result.to_dict()
        if self.options["locale"]:
            shown["run"]["locale"] = str(self.options["locale"])
        if self.options["names"]:
            shown["run"]["products"] = dict(sorted(self.options["names"].items()))
        json.dump(shown, self.stream, ensure_ascii=False, indent=2)
        self.stream.write("\n")
