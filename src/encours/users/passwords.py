"""The password policy: at least 12 characters and not guessable (zxcvbn score 3 or more).

zxcvbn (Dropbox's estimator) rates a password 0 to 4 from the guesses an attacker needs,
knowing common passwords, names, words, keyboard walks, repeats, dates and the user's own
e-mail. The same rule holds for every role, admins included, in the CLI and the web app.
"""

from __future__ import annotations

from collections.abc import Sequence

from zxcvbn import zxcvbn

from encours.users.errors import WeakPassword

MIN_LENGTH = 12
MIN_SCORE = 3  # 0 too guessable ... 4 very unguessable
ESTIMATED_CHARS = 72  # zxcvbn's own bound: beyond it the estimate only gets slower, not better


def check_password(password: str, user_inputs: Sequence[str] = ()) -> None:
    """Raise :class:`WeakPassword` with zxcvbn's advice when ``password`` breaks the policy."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword.because("password_too_short", field="password", count=MIN_LENGTH)
    words = [part for value in user_inputs for part in (value, *value.replace("@", ".").split(".")) if part]
    result = zxcvbn(password[:ESTIMATED_CHARS], user_inputs=words)
    if result["score"] < MIN_SCORE:
        feedback = result["feedback"]
        advice = [feedback.get("warning") or "", *feedback.get("suggestions", [])]
        said = tuple(text for text in advice if text) or ("Add another word or two.",)
        raise WeakPassword.because("password_guessable", field="password", advice=said)
