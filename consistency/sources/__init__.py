"""Where observations come from: file exports, live fetchers and the shared HTTP layer.

- ``gather``: every configured source as one stream of observations, invalid
  records and source failures;
- registries, written out in one place: ``formats`` (``format:`` -> reader) and
  ``fetchers`` (``fetch:`` -> fetch function);
- file exports: ``files`` (which files, the ``records`` layout), ``textfiles``
  (encodings, bounded lines), ``jsonfile``, ``csvfile``, ``spreadsheets``,
  ``records`` (a record to an Observation, SPEC 3.3) and ``platforms/``
  (contact-center exports);
- live fetchers: ``web/`` (product pages) and ``chat`` (an HTTP chat bot);
- the HTTP gate they share: ``http`` (the client) with ``urls``, ``pinned``,
  ``redaction`` and ``responses``; ``evidence`` keeps what was fetched.
"""
