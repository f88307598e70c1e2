"""Set-wise analytics over the ledger: portable SQL run by the database or by DuckDB.

Queries compare dates with bound parameters instead of subtracting them, so the same text
runs on SQLite, PostgreSQL, DuckDB and Spark SQL.
"""
