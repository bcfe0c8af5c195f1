"""The JSON report is exactly Result.to_dict() (SPEC 6) and reads back to the same result."""

from __future__ import annotations

import io
import json

from consistency.report import render
from consistency.report.sample import sample_result
from consistency.result import SCHEMA, Result


def test_json_is_the_result_dict():
    result = sample_result()
    out = io.StringIO()
    render(result, "json", out)
    data = json.loads(out.getvalue())
    assert data == json.loads(json.dumps(result.to_dict()))
    assert data["schema"] == SCHEMA
    assert data["summary"]["findings"] == {"error": 3, "warning": 2, "info": 1}


def test_json_keeps_hebrew_readable_and_indented():
    out = io.StringIO()
    render(sample_result(), "json", out)
    text = out.getvalue()
    assert "סיב 500 מגה" in text and "\\u05e1" not in text
    assert text.startswith('{\n  "schema"') and text.endswith("}\n")


def test_json_round_trips_through_from_dict():
    result = sample_result()
    out = io.StringIO()
    render(result, "json", out)
    again = Result.from_dict(json.loads(out.getvalue()))
    assert again.to_dict() == result.to_dict()
