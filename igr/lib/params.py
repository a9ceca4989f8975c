"""The words for a query parameter a list or aggregate does not take, shared by the
FilterSets (igr.filters) and the API's parameter serializers (igr.api.serializers)."""

UNKNOWN_PARAMETER = "unknown_parameter"

#: Said of every filter in the OpenAPI schema.
EMPTY_MEANS_ANY = "An empty value means no filter."
UNKNOWN_SLUG = "An unknown slug (or one that is not public) is a 400 naming this parameter."
NOT_BOOLEAN = "`true` or `false` (also 1/0, yes/no); anything else is a 400."


def unknown_parameter_message(name: str, allowed) -> str:
    """“foo” is not a parameter of this list; it takes: a, b, c."""
    return (
        f"“{name[:100]}” is not a parameter of this list; it takes: {', '.join(sorted(allowed))}."
    )


#: Parameters that sharing and mailing tools add to a link (Google Analytics' utm_*, the
#: click ids of Facebook, Google, Microsoft, X, Yandex, Instagram, LinkedIn, Mailchimp
#: and Marketo). The public pages ignore them, so a shared link still shows its list;
#: the API, whose callers write their own URLs, still names them as unknown.
TRACKING_PREFIXES = ("utm_",)
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gbraid", "wbraid", "dclid", "msclkid", "twclid", "yclid",
        "igshid", "li_fat_id", "mc_cid", "mc_eid", "mkt_tok", "_ga", "_gl",
    }
)  # fmt: skip


def is_tracking(name: str) -> bool:
    """Whether `name` is a link-tracking parameter (TRACKING_PARAMETERS)."""
    return name in TRACKING_PARAMETERS or name.startswith(TRACKING_PREFIXES)
