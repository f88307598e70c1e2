"""Refusals of the jobs and workers: retries, the schedule file, exchange rates of a job."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

SENTENCES: dict[str, tuple[str, str] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "job_files_gone": (
        "les fichiers de la tâche de fond {job} ne sont plus conservés (un fichier refusé ou une importation annulée ne les garde pas, un échec imprévu les garde {days} jours) : déposez-les de nouveau sur la page d'importation",
        "the files of job {job} are no longer kept (a refused file or a cancelled import does not keep them, an unexpected failure keeps them {days} days): upload them again on the import page",
    ),
    "schedule_unreadable": (
        "{source} n'est pas un fichier TOML valide (ligne {line}) : corrigez-le, les tâches planifiées ne démarrent pas",
        "{source} is not valid TOML (line {line}: {reason}): fix it, no scheduled job starts",
    ),
    "schedule_bad_timezone": (
        "{source} : fuseau horaire inconnu {zone!r} (par exemple « Europe/Paris »)",
        "{source}: unknown time zone {zone!r} (e.g. 'Europe/Paris')",
    ),
    "schedule_bad_cron": (
        "{source} : la tâche {index} a une expression cron invalide {cron!r} (cinq champs : minute heure jour mois jour-de-semaine)",
        "{source}: job {index}: invalid cron {cron!r} (five fields: minute hour day month weekday)",
    ),
    "schedule_no_kind": (
        "{source} : la tâche {index} n'indique pas sa nature (kind)",
        "{source}: job {index}: no kind",
    ),
    "schedule_unknown_kind": (
        "{source} : la tâche {name!r} a une nature inconnue {kind!r} ; natures possibles : {known}",
        "{source}: job {name!r}: unknown kind {kind!r}; known: {known}",
    ),
    "fx_missing_rate": (
        "aucun taux de change pour {currency} au {day} ou avant dans {source} : ajoutez une ligne « date,{currency},unités pour un euro » au fichier fx_rates.csv du répertoire de données",
        "no exchange rate for {currency} on or before {day} in {source}: add a line `date,{currency},units per euro` to fx_rates.csv in the data directory",
    ),
}
