"""The words for a query parameter a list or aggregate does not take, shared by the
FilterSets (igr.filters) and the API's parameter serializers (igr.api.serializers)."""

UNKNOWN_PARAMETER = "unknown_parameter"


def unknown_parameter_message(name: str, allowed) -> str:
    """“foo” is not a parameter of this list; it takes: a, b, c."""
    return (
        f"“{name[:100]}” is not a parameter of this list; it takes: {', '.join(sorted(allowed))}."
    )
