"""Logging helpers: keep secrets and client-typed text out of structured logs."""

import logging

# Query-string parameters whose values never reach a log line.
SENSITIVE_WORDS = ("pass", "token", "secret", "key", "session", "csrf", "auth", "signature")


def redact_query(query_dict) -> dict[str, str]:
    """The query parameters as a flat dict, with the value of any parameter whose name
    suggests a credential replaced by "[redacted]"."""
    redacted = {}
    for name in query_dict:
        if any(word in name.lower() for word in SENSITIVE_WORDS):
            redacted[name] = "[redacted]"
        else:
            redacted[name] = ",".join(query_dict.getlist(name))[:200]
    return redacted


class DropRequestObject(logging.Filter):
    """Django attaches the request to its own error records (django.request); a JSON
    formatter would print its repr, query string and all. The path is in the message."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            del record.request
        return True
