"""Importers: turn users' files into domain records plus errors, never touching storage."""
