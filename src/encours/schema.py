"""Every table of every domain, gathered so Alembic and tests see the whole schema."""

from encours.audit.models import AuditEventRow
from encours.bank import models as bank_models  # noqa: F401
from encours.casework import models as casework_models  # noqa: F401
from encours.casework import workspace_models  # noqa: F401
from encours.dunning import models as dunning_models  # noqa: F401
from encours.einvoicing import models as einvoicing_models  # noqa: F401
from encours.foresight.models import ModelArtifactRow, RiskScoreRow  # noqa: F401
from encours.jobs import models as jobs_models  # noqa: F401
from encours.ledger.models import AllocationRow, CustomerRow, EntryRow, ImportBatchRow
from encours.storage.base import Base
from encours.users.models import ApiTokenRow, LoginAttemptRow, UserRow  # noqa: F401
from encours.web.models import AppSettingRow  # noqa: F401

__all__ = ["AllocationRow", "AuditEventRow", "Base", "CustomerRow", "EntryRow", "ImportBatchRow"]
