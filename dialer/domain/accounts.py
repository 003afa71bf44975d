"""What makes an acceptable account: e-mail address, password and postcode rules (pure)."""

from __future__ import annotations

from dialer.domain.postcodes import parse_postcode
from dialer.errors import InvalidInput

PASSWORD_MIN = 10
#: Long enough for any passphrase; the cap stops multi-megabyte "passwords" reaching the KDF.
PASSWORD_MAX = 200
FIRST_NAME_MAX = 60


#: Passwords people choose most often (and the product's own name): refused outright.
COMMON_PASSWORDS = frozenset(
    {
        "password123",
        "password1234",
        "1234567890",
        "0123456789",
        "qwertyuiop",
        "iloveyou123",
        "letmein123",
        "marginal123",
        "marginalseat",
        "welcome123",
        "abcdefghij",
    }
)


def normalise_email(raw: str) -> str:
    """E-mail addresses are compared case-insensitively and without surrounding spaces."""
    return raw.strip().lower()


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why `password` is not acceptable, or None when it is."""
    if len(password) < PASSWORD_MIN:
        return f"use at least {PASSWORD_MIN} characters"
    if len(password) > PASSWORD_MAX:
        return f"use at most {PASSWORD_MAX} characters"
    if len(set(password)) < 4:
        return "use more than a few different characters"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        return "that password is too common; choose another"
    local_part = normalise_email(email).partition("@")[0]
    if len(local_part) >= 4 and local_part in lowered:
        return "do not include your e-mail address in your password"
    return None


def check_password(password: str, *, email: str = "") -> None:
    problem = password_problem(password, email=email)
    if problem is not None:
        raise InvalidInput(problem)


def normalise_postcode(raw: str) -> str:
    """A UK postcode or district in its standard form ("sw1a1aa" -> "SW1A 1AA", "sw9" -> "SW9"), or
    InvalidPostcode saying why (the one parser every postcode field uses)."""
    return parse_postcode(raw).text


def normalise_first_name(raw: str) -> str:
    name = " ".join(raw.split())
    if not name:
        raise InvalidInput("enter your first name")
    if len(name) > FIRST_NAME_MAX:
        raise InvalidInput(f"use at most {FIRST_NAME_MAX} characters")
    return name
