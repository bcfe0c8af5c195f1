"""The config's report.locale, email.subject and notify: reach the loaded Config (issue 13).

A webhook URL's secret comes from the environment (``${VAR}``), as headers' do: an unset
variable is an error at its line, and the value never appears in the message.
"""

from __future__ import annotations

import pytest

from consistency.errors import InputError
from consistency.inputs.config import load_config
from tests.helpers import PRICES, write

BASE = "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources: []\n"


def config(tmp_path, extra: str):
    write(tmp_path / "prices.yaml", PRICES)
    return write(tmp_path / "consistency.yaml", BASE + extra)


def test_locale_subject_and_notify_are_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("SLACK_HOOK", "T000/B000/XXXX")
    loaded = load_config(
        config(
            tmp_path,
            "report: {locale: en}\n"
            "email: {to: [a@b.co.il], from: c@b.co.il, subject: '{{ errors }} errors'}\n"
            "notify: {urls: ['slack://${SLACK_HOOK}'], notify_on: always}\n",
        )
    )
    assert loaded.report_locale == "en"
    assert loaded.email.subject == "{{ errors }} errors"
    assert loaded.notify.urls == ("slack://T000/B000/XXXX",)
    assert loaded.notify.notify_on == "always"


def test_an_unset_webhook_secret_is_an_error_at_its_line(tmp_path, monkeypatch):
    monkeypatch.delenv("NO_SUCH_HOOK", raising=False)
    path = config(tmp_path, "notify:\n  urls:\n    - 'json://hooks.example/${NO_SUCH_HOOK}'\n")
    with pytest.raises(InputError) as caught:
        load_config(path)
    [error] = caught.value.errors
    assert (error.line, error.path) == (6, "notify.urls[0]")
    assert "NO_SUCH_HOOK" in error.message


@pytest.mark.parametrize("bad", ["report: {locale: 'he IL'}", "notify: {urls: []}"])
def test_a_bad_value_is_a_schema_error(tmp_path, bad):
    with pytest.raises(InputError):
        load_config(config(tmp_path, bad + "\n"))
