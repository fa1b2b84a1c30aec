"""What a usable secret is: the rule crm_api's settings and the web chat channel both apply.

Outside production a placeholder is allowed (the caller logs a warning), so the demo runs
with the values of ``.env.example``; in production a placeholder or a short secret is
refused at startup.
"""

from __future__ import annotations

# Values that are obviously not real secrets (compared stripped and lower-cased).
PLACEHOLDER_SECRETS = frozenset(
    {
        "",
        "change-me",
        "changeme",
        "change_me",
        "secret",
        "password",
        "dev",
        "test",
        "token",
        "xxx",
    }
)
# the marker of .env.example's values ("change-me-...")
PLACEHOLDER_MARKER = "change-me"
# Production secrets must be at least this long (e.g. `secrets.token_urlsafe(32)`).
MIN_PRODUCTION_SECRET_LENGTH = 32


class SecretRefused(ValueError):
    """A placeholder or short secret where a real one is required (production)."""


def is_placeholder(value: str) -> bool:
    """Whether ``value`` is a well-known placeholder rather than a secret."""
    return value.strip().lower() in PLACEHOLDER_SECRETS or PLACEHOLDER_MARKER in value.lower()


def check_secret(name: str, value: str, *, production: bool) -> bool:
    """Applies the rule to the secret called ``name``.

    Args:
        name: the setting's name, for the error message (e.g. ``APP_TOKEN_SECRET``).
        value: the secret.
        production: whether the process runs in production (``CRM_ENV=production``).

    Returns:
        Whether ``value`` is a placeholder (allowed outside production; warn about it).

    Raises:
        SecretRefused: in production, for a placeholder or a secret shorter than
            ``MIN_PRODUCTION_SECRET_LENGTH`` characters.
    """
    placeholder = is_placeholder(value)
    if production and (placeholder or len(value) < MIN_PRODUCTION_SECRET_LENGTH):
        raise SecretRefused(
            f"{name} is a placeholder or shorter than "
            f"{MIN_PRODUCTION_SECRET_LENGTH} characters; refused in production"
        )
    return placeholder
