"""Dashboard words: alert levels, chart traces, dunning activity, roles."""

TEXTS: dict[str, tuple[str, str]] = {
    "threshold": ("seuil", "threshold"),
    "expected_cash_in": ("encaissements attendus", "expected cash-in"),
    "level_critical": ("critique", "critical"),
    "level_warning": ("à surveiller", "warning"),
    "role_admin": ("administrateur", "administrator"),
    "role_credit_manager": ("responsable crédit", "credit manager"),
    "role_collector": ("recouvreur", "collector"),
    "role_sales": ("commercial", "sales"),
    "dunning.run": ("Campagnes de relance", "Dunning runs"),
    "dunning.sent": ("Relances envoyées", "Reminders sent"),
    "dunning.failed": ("Envois en échec", "Failed deliveries"),
    "dunning.thanked": ("Remerciements envoyés", "Thank-you messages sent"),
    "dunning.decided": ("Relances décidées", "Reminders decided"),
    "dunning.scenario_edited": ("Scénarios modifiés", "Scenarios edited"),
    "dunning.template_edited": ("Modèles modifiés", "Templates edited"),
}
