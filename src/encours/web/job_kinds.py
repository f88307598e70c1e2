"""Every kind of job, registered by importing the modules that define them.

The edges that enqueue or run jobs (the web app, ``encours worker``, the CLI's job commands)
import this module once; each area keeps its own kinds beside its services.
"""

from __future__ import annotations

from encours.dunning import jobs as dunning_jobs
from encours.dunning import notification_mail
from encours.foresight import jobs as foresight_jobs
from encours.importing import jobs as import_jobs
from encours.jobs import ping
from encours.jobs.registry import kinds
from encours.ledger import jobs as ledger_jobs
from encours.web import figure_jobs, statement_jobs

MODULES = (
    ping,
    dunning_jobs,
    notification_mail,
    foresight_jobs,
    import_jobs,
    ledger_jobs,
    figure_jobs,
    statement_jobs,
)

__all__ = ["MODULES", "kinds"]
