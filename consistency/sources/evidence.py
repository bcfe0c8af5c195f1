"""Raw evidence kept on disk, content-addressed: the exact bytes a channel served.

A page is stored once as ``<sha256>.<suffix>`` however often it is fetched; the
name goes into ``Observation.meta["evidence"]`` so a finding can point at it.
Every secret from ``${VAR}`` is replaced by ``***`` before the bytes are stored
(``http.redact_bytes``: raw, encoded and escaped forms), so a page or a bot that
echoes a token never leaves it on disk; the name is the hash of what is stored.

    >>> import tempfile
    >>> store = EvidenceStore(tempfile.mkdtemp())
    >>> name = store.put(b"<p>99.90</p>", "html")
    >>> name.endswith(".html"), len(name)
    (True, 69)
    >>> store.path(name).read_bytes()
    b'<p>99.90</p>'
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from ..outputs import write_bytes_atomic
from .http import redact_bytes

NAME = re.compile(
    r"""
    \A [0-9a-f]{64}     # the SHA-256 of the content
    \. [a-z0-9]{1,10}   # the suffix: html, json, txt ...
    \Z
    """,
    re.VERBOSE,
)


class EvidenceStore:
    """A folder of content-addressed files; writes are atomic and happen once per content."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def put(self, body: bytes, suffix: str) -> str:
        """Store ``body``, secrets redacted, unless already there; return its name
        ``<sha256>.<suffix>``."""
        body = redact_bytes(body)
        name = f"{hashlib.sha256(body).hexdigest()}.{suffix.lower().lstrip('.')}"
        target = self.path(name)
        if target.exists():
            return name
        write_bytes_atomic(target, body)
        return name

    def path(self, name: str) -> Path:
        """The file of a stored name; a name that is not ``<sha256>.<suffix>`` is refused."""
        if not NAME.match(name):
            raise ValueError(f"not an evidence name: {name!r}")
        return self.folder / name
