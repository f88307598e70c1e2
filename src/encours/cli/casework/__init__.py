"""Casework commands, one module per sub-command group (registered in ``encours.cli.main``).

Each command is one unit of work: bad input exits 2 and writes nothing.
"""
