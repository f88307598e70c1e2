"""Setting the company up from the browser: the files of ENCOURS_DATA_DIR as forms.

Each form reads and writes the very file the CLI reads (company.toml, kpi_thresholds.toml,
scenarios/*.toml, smtp.toml), atomically and with an audit entry, so CLI and UI agree.
Validation problems come back as ``{field: text key}`` for the screen to say in its language.
"""
