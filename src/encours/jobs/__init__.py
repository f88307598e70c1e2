"""Jobs: long work in a queue kept in the database, run by workers (SPEC §12).

``service`` enqueues and reads jobs (``JobView``), ``registry`` names the kinds of work
(``@job_kind("dunning_run")``), ``runner`` runs one job (claim, progress, outcome) whichever
backend took it: the in-process executor on SQLite (``inprocess``), procrastinate on
PostgreSQL (``queue``). ``schedule`` starts recurring jobs from ``schedule.toml``.
"""
