"""E-mail reports: the weekly digest sent to chosen users."""
