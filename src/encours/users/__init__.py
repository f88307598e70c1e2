"""Users of the web app: accounts, roles, password hashing, API tokens, login throttling."""
