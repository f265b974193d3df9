"""Passwords (argon2id) and bearer tokens (JWT, HS256). No I/O: the API passes the secret and expiry in."""

from __future__ import annotations

import hashlib
import time
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from coach.errors import CoachError

ALGORITHM = "HS256"
# Modest cost: API workers share 2 cores and tests register many users; still argon2id with a random salt.
_hasher = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
# Verifying against this keeps an unknown username as slow as a wrong password (no user enumeration by timing).
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class Unauthorized(CoachError):
    """Missing, invalid or expired credentials."""

    status = 401


# Passwords guessed first by anyone trying (well-known favourites of people and of password-guessing tools).
COMMON_PASSWORDS = frozenset(
    [
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "00000000",
        "12341234",
        "11223344",
        "qwertyui",
        "qwerty12",
        "qwerty123",
        "1q2w3e4r",
        "1qaz2wsx",
        "asdfghjk",
        "zxcvbnm1",
        "abc12345",
        "abcd1234",
        "iloveyou",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "starwars",
        "computer",
        "michelle",
        "whatever",
        "trustno1",
        "letmein1",
        "welcome1",
        "welcome123",
        "admin123",
        "administrator",
        "monkey123",
        "dragon123",
        "shadow123",
        "master123",
        "changeme",
        "changeme1",
        "default1",
        "secret123",
        "pathway1",
        "learner1",
        "student1",
    ]
)


def password_problem(password: str, username: str) -> str | None:
    """Why a new password is refused (too short, blank, one repeated character, a common password, the
    username), or None when it is acceptable."""
    if len(password) < 8:
        return "the password must have at least 8 characters"
    if not password.strip():
        return "the password cannot be only spaces"
    if len(set(password)) <= 2:
        return "the password needs more than one or two different characters"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or lowered.rstrip("!.?0123456789") in COMMON_PASSWORDS:
        return "that password is one of the first anyone would guess; choose another"
    if lowered.strip() == username.strip().lower():
        return "the password cannot be the username"
    return None


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password: str, password_hash: str | None) -> bool:
    """True when `password` matches the stored hash (constant work when there is no hash)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _signing_key(secret: str) -> bytes:
    # A fixed-length key whatever the configured secret's length (HS256 wants at least 32 bytes).
    return hashlib.sha256(secret.encode("utf-8")).digest()


def create_token(*, user_id: int, role: str, secret: str, minutes: int, now: float | None = None) -> str:
    """A signed bearer token for the user, valid for `minutes`."""
    issued = int(now if now is not None else time.time())
    claims: dict[str, Any] = {"sub": str(user_id), "role": role, "iat": issued, "exp": issued + minutes * 60}
    return jwt.encode(claims, _signing_key(secret), algorithm=ALGORITHM)


def decode_token(token: str, *, secret: str) -> int:
    """The user id in a valid, unexpired token; Unauthorized otherwise."""
    try:
        claims = jwt.decode(
            token, _signing_key(secret), algorithms=[ALGORITHM], options={"require": ["sub", "exp"]}
        )
        return int(claims["sub"])
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("token expired; sign in again") from exc
    except (jwt.InvalidTokenError, ValueError, TypeError) as exc:
        raise Unauthorized("invalid token") from exc
