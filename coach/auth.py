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
