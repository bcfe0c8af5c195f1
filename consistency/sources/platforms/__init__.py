"""Platform export adapters: contact-center and chat transcript files as observations.

Each module reads one platform's documented export layout; its ``read`` is the
reader of one ``format:`` for file sources, listed in ``sources/formats.py``
(see docs/platforms.md):

- ``amazon-connect-contact-lens``: Contact Lens analysis output files;
- ``intercom``: Intercom conversations (one, a list, or a list response);
- ``zendesk``: Zendesk tickets and their comments (API responses, JSON export);
- ``genesys-cloud``: Genesys Cloud Speech and Text Analytics transcripts.
"""
