"""Web app: JSON API, server-rendered UI and customer portal over the same services."""
