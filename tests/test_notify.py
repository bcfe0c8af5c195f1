"""The emailed report: a dry run writes the .eml; a large report's HTML part embeds no JSON pages."""

from __future__ import annotations

import csv
import email
import io
from email import policy

from consistency.config import EmailConfig
from consistency.notify import email_report
from consistency.report.sample import sample_result


def read_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_a_large_report_mails_its_first_pages_and_points_at_the_csv(tmp_path):
    result = sample_result(6000)
    target = tmp_path / "report.eml"
    config = EmailConfig(to=("pricing@example.co.il",), sender="consistency@example.co.il")
    assert email_report(result, config, dry_run=target) == f"wrote {target}"
    message = read_eml(target)
    html = message.get_body(("html",)).get_content()
    assert 'type="application/json"' not in html
    assert "attached CSV" in html
    attachment = next(message.iter_attachments())
    content = attachment.get_content()  # text/csv: decoded by the email package
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert len(rows) == 1 + len(result.findings)


def test_a_small_report_mails_every_finding_as_rows(tmp_path):
    result = sample_result()
    target = tmp_path / "report.eml"
    config = EmailConfig(to=("a@example.co.il",), sender="b@example.co.il")
    email_report(result, config, dry_run=target)
    html = read_eml(target).get_body(("html",)).get_content()
    assert "attached CSV" not in html
    for finding in result.findings:
        assert finding.rule in html
