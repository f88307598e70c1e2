"""The one rule dunning asks of the lifecycle: an invoice with a standing (210 Refusée, 213
Rejetée, 220 Annulée, 225 Affacturée, see ``statuses.standing``) is never dunned.

A SQL condition on the entries aliased ``e``, for set-wise candidate selection.
"""

NOT_OUT_OF_DUNNING = "NOT EXISTS (SELECT 1 FROM einvoice_standings es WHERE es.entry_id = e.id)"
