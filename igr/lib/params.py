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
