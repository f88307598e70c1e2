"""`encours notifications send`: e-mail the notifications of the users who chose e-mail.

Run it from the scheduler (or cron) after the day's dunning run; without ENCOURS_SMTP_URL the
notifications stay in the app only.
"""

from __future__ import annotations

import typer

from encours.cli.context import DbOption, engine_for, err_console
from encours.settings import get_settings

notifications_app = typer.Typer(no_args_is_help=True, help="In-app notifications sent by e-mail.")


@notifications_app.command("send")
def send(db: DbOption = None) -> None:
    """E-mail every notification not yet sent to the users who chose e-mail."""
    from encours.dunning.channels.smtp import smtp_config
    from encours.dunning.notification_mail import send_notification_emails

    smtp = smtp_config(get_settings())
    sent = send_notification_emails(engine_for(db), smtp)
    err_console.print(
        f"{sent} notification(s) e-mailed" if smtp else "ENCOURS_SMTP_URL is not set: nothing sent"
    )
