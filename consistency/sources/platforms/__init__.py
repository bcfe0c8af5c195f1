"""Platform export adapters: contact-center and chat transcript files as observations.

Each module reads one platform's documented export layout and registers it as
a ``format:`` for file sources (see docs/platforms.md):

- ``amazon-connect-contact-lens``: Contact Lens analysis output files;
- ``intercom``: Intercom conversations (one, a list, or a list response);
- ``zendesk``: Zendesk tickets and their comments (API responses, JSON export);
- ``genesys-cloud``: Genesys Cloud Speech and Text Analytics transcripts.

Importing this package registers them with ``consistency.sources.files``.
"""

from __future__ import annotations

from ..files import register_format
from . import amazon_connect, genesys, intercom, zendesk

for _module in (amazon_connect, intercom, zendesk, genesys):
    register_format(_module.FORMAT, _module.read)
