"""Evidence a learner attaches to a step: a badge file and a link, checked before they are stored.

A badge is an Open Badges JSON document or a PNG/JPEG image, no larger than MAX_BADGE_BYTES, whose content is what
its name says (an executable renamed `.png` is refused), named without any path; SVG is refused because it can
carry script. A learner keeps at most MAX_BADGE_BYTES_PER_LEARNER of badges. An evidence link must point at a
public web address: a link to this machine or a private network would make whoever opens it probe that network.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coach.errors import BadInput
from coach.store.tables import ProgressEvent

MAX_BADGE_BYTES = 256_000
MAX_BADGE_BYTES_PER_LEARNER = 5_000_000
_NAME = re.compile(r"^[\w][\w .()-]{0,118}\.(png|jpe?g|json)$", re.I)
_PRIVATE_HOSTS = ("localhost", ".localhost", ".local", ".internal", ".lan", ".home.arpa")


def badge_bytes(name: str, content_base64: str) -> bytes:
    """The badge's bytes once its name, size and content check out; BadInput saying what is wrong otherwise."""
    if not _NAME.match(name) or ".." in name:
        raise BadInput(
            "the badge file needs a plain name ending in .png, .jpg or .json (no folders), e.g. security-plus.png"
        )
    try:
        data = base64.b64decode(content_base64, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadInput("the badge file is not valid base64") from exc
    if len(data) > MAX_BADGE_BYTES:
        raise BadInput(f"the badge file is larger than {MAX_BADGE_BYTES // 1000} KB")
    kind = name.rsplit(".", 1)[-1].lower()
    if kind == "png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise BadInput("the badge file is named .png but is not a PNG image")
    if kind in ("jpg", "jpeg") and not data.startswith(b"\xff\xd8\xff"):
        raise BadInput("the badge file is named .jpg but is not a JPEG image")
    if kind == "json":
        try:
            document = json.loads(data.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise BadInput("the badge file is named .json but is not JSON") from exc
        if not isinstance(document, dict):
            raise BadInput("an Open Badges file is a JSON object")
    return data


def check_quota(session: Session, user_id: int, adding: int) -> None:
    """BadInput when the learner's stored badges and this one would pass MAX_BADGE_BYTES_PER_LEARNER."""
    stored = session.scalar(
        select(func.coalesce(func.sum(func.length(ProgressEvent.badge_data)), 0)).where(
            ProgressEvent.user_id == user_id
        )
    )
    # base64 text is stored: 4 characters per 3 bytes
    if int(stored or 0) * 3 // 4 + adding > MAX_BADGE_BYTES_PER_LEARNER:
        raise BadInput(f"your badge files would pass {MAX_BADGE_BYTES_PER_LEARNER // 1_000_000} MB in all")


def check_link(url: str) -> None:
    """BadInput unless `url` is an http(s) address on a public host (not this machine, not a private network)."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError as exc:
        raise BadInput("the evidence link is not a valid web address") from exc
    if parts.scheme not in ("http", "https") or not host:
        raise BadInput("the evidence link must be a web address starting with http:// or https://")
    if host == _PRIVATE_HOSTS[0] or host.endswith(_PRIVATE_HOSTS[1:]):
        raise BadInput(
            "the evidence link must point at a public web page, not this machine or a local network"
        )
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return  # a host name: public as far as its spelling shows
    if not address.is_global:
        raise BadInput(
            "the evidence link must point at a public web page, not this machine or a local network"
        )
