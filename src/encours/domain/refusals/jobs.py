"""Refusals of the jobs and workers: retries, the schedule file, exchange rates of a job."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

SENTENCES: dict[str, tuple[str, str] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "job_files_gone": (
        "les fichiers de la tâche de fond {job} ne sont plus conservés (un fichier refusé ou une importation annulée ne les garde pas, un échec imprévu les garde {days} jours) : déposez-les de nouveau sur la page d'importation",
        "the files of job {job} are no longer kept (a refused file or a cancelled import does not keep them, an unexpected failure keeps them {days} days): upload them again on the import page",
    ),
}
