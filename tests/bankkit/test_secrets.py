"""The secret rule shared by crm_api's settings and the web chat channel."""

from __future__ import annotations

import pytest

from bankkit.secrets import (
    MIN_PRODUCTION_SECRET_LENGTH,
    SecretRefused,
    check_secret,
    is_placeholder,
)

STRONG = "k" * MIN_PRODUCTION_SECRET_LENGTH


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("", True),  # unset (the channel's old list)
        ("change-me", True),  # .env.example's value
        ("  Change_Me ", True),  # compared stripped and lower-cased
        ("changeme", True),
        ("secret", True),
        ("password", True),  # the CRM's old list
        ("dev", True),
        ("test", True),
        ("token", True),
        ("xxx", True),
        ("change-me-to-a-long-random-value-0123456789", True),  # the marker anywhere
        ("CHANGE-ME-please", True),  # the marker in any case
        ("secret-but-longer", False),  # a placeholder word inside a longer value is not one
        (STRONG, False),
    ],
)
def test_is_placeholder(value: str, placeholder: bool) -> None:
    assert is_placeholder(value) is placeholder


@pytest.mark.parametrize(
    "value",
    [
        "change-me",  # a placeholder
        "x" * (MIN_PRODUCTION_SECRET_LENGTH - 1),  # one character too short
        "change-me-" + "x" * MIN_PRODUCTION_SECRET_LENGTH,  # long, but the marker
    ],
)
def test_production_refuses_placeholder_or_short(value: str) -> None:
    with pytest.raises(SecretRefused, match="WEBCHAT_SECRET is a placeholder or shorter"):
        check_secret("WEBCHAT_SECRET", value, production=True)


def test_refusal_is_a_value_error() -> None:
    # pydantic turns a ValueError raised in a validator into a ValidationError
    with pytest.raises(ValueError, match="refused in production"):
        check_secret("APP_TOKEN_SECRET", "secret", production=True)


def test_production_accepts_a_long_real_secret() -> None:
    assert check_secret("APP_TOKEN_SECRET", STRONG, production=True) is False


@pytest.mark.parametrize(
    ("value", "placeholder"),
    [
        ("change-me", True),  # allowed, the caller warns
        ("short", False),  # length is checked in production only
        (STRONG, False),
    ],
)
def test_development_allows_anything_and_reports_placeholders(
    value: str, placeholder: bool
) -> None:
    assert check_secret("CRM_SERVICE_TOKEN", value, production=False) is placeholder
