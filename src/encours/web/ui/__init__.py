"""Server-rendered screens (Jinja2), French and English, amounts and dates formatted by Babel."""
