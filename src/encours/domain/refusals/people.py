"""Refusals of users and passwords (zxcvbn's advice said in French too), sign-in and roles."""

# ruff: noqa: E501 -- one sentence per line reads better than a wrapped one

from __future__ import annotations

# zxcvbn's warnings and suggestions (its feedback module), English as it says them
ZXCVBN = {
    "Use a few words, avoid common phrases.": "Prenez quelques mots, évitez les expressions courantes.",
    "No need for symbols, digits, or uppercase letters.": "Inutile d'ajouter symboles, chiffres ou majuscules.",
    "Add another word or two. Uncommon words are better.": "Ajoutez un ou deux mots ; les mots peu courants sont les meilleurs.",
    "Add another word or two.": "Ajoutez un ou deux mots.",
    "Straight rows of keys are easy to guess.": "Les rangées de touches du clavier se devinent facilement.",
    "Short keyboard patterns are easy to guess.": "Les suites courtes de touches du clavier se devinent facilement.",
    "Use a longer keyboard pattern with more turns.": "Prenez une suite de touches plus longue et plus sinueuse.",
    'Repeats like "aaa" are easy to guess.': "Les répétitions comme « aaa » se devinent facilement.",
    'Repeats like "abcabcabc" are only slightly harder to guess than "abc".': "Les répétitions comme « abcabcabc » ne sont guère plus sûres que « abc ».",
    "Avoid repeated words and characters.": "Évitez de répéter des mots et des caractères.",
    "Sequences like abc or 6543 are easy to guess.": "Les suites comme abc ou 6543 se devinent facilement.",
    "Avoid sequences.": "Évitez les suites.",
    "Recent years are easy to guess.": "Les années récentes se devinent facilement.",
    "Avoid recent years.": "Évitez les années récentes.",
    "Avoid years that are associated with you.": "Évitez les années qui vous concernent.",
    "Dates are often easy to guess.": "Les dates se devinent souvent facilement.",
    "Avoid dates and years that are associated with you.": "Évitez les dates et les années qui vous concernent.",
    "This is a top-10 common password.": "C'est l'un des 10 mots de passe les plus courants.",
    "This is a top-100 common password.": "C'est l'un des 100 mots de passe les plus courants.",
    "This is a very common password.": "C'est un mot de passe très courant.",
    "This is similar to a commonly used password.": "Il ressemble à un mot de passe très courant.",
    "A word by itself is easy to guess.": "Un mot seul se devine facilement.",
    "Names and surnames by themselves are easy to guess.": "Un nom ou un prénom seul se devine facilement.",
    "Common names and surnames are easy to guess.": "Les noms et prénoms courants se devinent facilement.",
    "Capitalization doesn't help very much.": "Les majuscules n'aident guère.",
    "All-uppercase is almost as easy to guess as all-lowercase.": "Tout en majuscules n'est guère plus sûr que tout en minuscules.",
    "Reversed words aren't much harder to guess.": "Un mot à l'envers n'est guère plus difficile à deviner.",
    "Predictable substitutions like '@' instead of 'a' don't help very much.": "Les substitutions prévisibles comme « @ » pour « a » n'aident guère.",
}
ROLES = {
    "admin": "administrateur",
    "credit_manager": "credit manager",
    "collector": "chargé de recouvrement",
    "sales_rep": "commercial",
    "viewer": "lecteur",
}

SENTENCES: dict[str, tuple[str, str] | tuple[str, str, dict[str, dict[str, str]]]] = {
    "password_too_short": ("mot de passe trop court : {count} caractères au moins", "password too short: at least {count} characters"),
    "password_guessable": ("mot de passe trop facile à deviner : {advice}", "password too easy to guess: {advice}", {"advice": ZXCVBN}),
    "invalid_email": ("adresse e-mail invalide {email!r}", "invalid e-mail address {email!r}"),
    "unknown_role": ("rôle inconnu {role!r}", "unknown role {role!r}; expected one of {expected}"),
    "unknown_role_short": ("rôle inconnu {role!r}", "unknown role {role!r}"),
    "unknown_language": ("langue inconnue {language!r} : fr ou en", "unknown language {language!r}; expected fr or en"),
    "unknown_language_short": ("langue inconnue {language!r}", "unknown language {language!r}"),
    "user_exists": ("l'utilisateur {email} existe déjà", "user {email} already exists"),
    "no_such_user": ("utilisateur introuvable", "no such user"),
    "no_user": ("aucun utilisateur {user}", "no user {user}"),
    "last_admin": ("le dernier administrateur actif doit rester un administrateur actif", "the last active admin must stay an active admin"),
    "wrong_current_password": ("le mot de passe actuel est incorrect", "the current password is wrong"),
    "reset_link_used": ("ce lien a déjà servi ou a été remplacé ; demandez-en un nouveau à un administrateur", "this reset link was used or replaced; ask an admin for a new one"),
    "login_throttled": ("trop d'échecs de connexion : réessayez dans 15 minutes", "too many failed logins; try again in 15 minutes"),
    "wrong_login": ("e-mail ou mot de passe incorrect", "invalid e-mail or password"),
    "role_may_not": ("votre rôle ne permet pas cette action", "your role may not {permission}"),
}  # fmt: skip
