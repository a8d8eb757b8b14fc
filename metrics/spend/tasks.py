"""Background work of spend (run by `manage.py worker`)."""

from typing import Any

from django_tasks import task

from audit.trail import trail_command
from metrics.spend.uploads import spend_batch_run


# Its own queue and worker: a million-row file must not hold up the emails behind it.
@task(queue_name="spend")
@trail_command("spend_batch_import")
def spend_batch_import(batch_id: int, options: dict[str, Any]) -> str:
    """Import an uploaded spending file's queued batch (metrics.spend.uploads)."""
    return spend_batch_run(batch_id=batch_id, options=options)
