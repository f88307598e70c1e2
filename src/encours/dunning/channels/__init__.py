"""Delivery channels: SMTP e-mail, PDF letters, collector tasks."""
