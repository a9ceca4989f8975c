"""Template filters every page may use without {% load %} (settings.TEMPLATES builtins)."""

from django import template

from igr import visibility

register = template.Library()


@register.filter
def public(record):
    """`record` when the public may see it (igr.visibility, the rule the API follows),
    else None, so a page never names or links a draft through a published record."""
    if record is None or not visibility.shows(type(record), record):
        return None
    return record


@register.filter
def public_rows(records):
    """The rows of `records` the public may see, in their order."""
    return [r for r in records if visibility.shows(type(r), r)]
