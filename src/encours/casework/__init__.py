"""Collections casework: disputes, promises, plans, holds, notes, tasks, credit, timeline.

Services take a session and only flush; the caller's unit of work commits. Every change
writes an audit event naming its author. The dunning engine reads ``suppression``.
"""
