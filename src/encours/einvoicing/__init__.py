"""E-invoicing lifecycle (SPEC §11): CDAR statuses received as receivables events, 212 sent.

Importing this package adds the statuses to the customer timeline (``timeline``).
"""

from encours.einvoicing import timeline as _timeline  # noqa: F401  (registers its timeline source)
