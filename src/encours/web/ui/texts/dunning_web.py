"""Screen texts of dunning in the browser (preview, approve and run, history, pauses) and of the
customer sheet's contact details."""

TEXTS: dict[str, tuple[str, str]] = {
    # key: (français, English)
    "postal_address": ("Adresse postale", "Postal address"),
    "phone": ("Téléphone", "Phone"),
    "iban": ("IBAN", "IBAN"),
}
