"""The signed links in alert emails (django.core.signing, keyed by SECRET_KEY, each kind
with its own salt so one kind of link cannot stand in for another).

- confirm: one subscription's id, time-stamped, good for ALERTS_CONFIRM_MAX_AGE;
- manage: an address, time-stamped, good for ALERTS_MANAGE_MAX_AGE (every email brings
  a fresh one);
- unsubscribe: an address and the subscriptions one email was about, with no expiry, so
  the List-Unsubscribe link of an old email still works (RFC 8058 asks it to).
"""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "alerts.confirm"
MANAGE_SALT = "alerts.manage"
UNSUBSCRIBE_SALT = "alerts.unsubscribe"


class BadToken(Exception):
    """The link is malformed, tampered with or expired."""


def confirm_token(subscription) -> str:
    return signing.dumps(subscription.pk, salt=CONFIRM_SALT)


def read_confirm_token(token: str) -> int:
    try:
        return int(signing.loads(token, salt=CONFIRM_SALT, max_age=settings.ALERTS_CONFIRM_MAX_AGE))
    except (signing.BadSignature, TypeError, ValueError):
        raise BadToken from None


def manage_token(email: str) -> str:
    return signing.dumps(email, salt=MANAGE_SALT)


def read_manage_token(token: str) -> str:
    try:
        email = signing.loads(token, salt=MANAGE_SALT, max_age=settings.ALERTS_MANAGE_MAX_AGE)
    except signing.BadSignature:
        raise BadToken from None
    if not isinstance(email, str):
        raise BadToken
    return email


def unsubscribe_token(email: str, subscription_ids) -> str:
    return signing.dumps(
        {"e": email, "s": sorted(subscription_ids)}, salt=UNSUBSCRIBE_SALT, compress=True
    )


def read_unsubscribe_token(token: str) -> tuple[str, list[int]]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        email, ids = data["e"], [int(i) for i in data["s"]]
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise BadToken from None
    if not isinstance(email, str):
        raise BadToken
    return email, ids
