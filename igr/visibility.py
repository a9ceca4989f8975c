"""The one visibility rule: what of a record, and of the records it points at, an
anonymous (non-staff) client may see. Pages, the API (its serializers and its `.values()`
read path), filter choices, feeds, sitemaps and dataset releases all ask here.

A model whose default manager has `published()` is public in exactly the rows that
method returns; its queryset may refine the rule (offices of published authorities,
people with a published office or attendance, the children of published meetings). A
model without one (sources, reports, recommendations, parties) is reference data, public
as a whole. Signed-in staff see everything. The rule reads only that metadata, so it
names no app's model and the shared layer stays below the domain apps.
"""

import functools

from django.db.models import Exists, OuterRef, Q

from igr.records import PublicationState, PublishableQuerySet


def sees_drafts(request) -> bool:
    """Signed-in staff see drafts; anyone else does, and so does no request at all (a
    dataset release is public)."""
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated and user.is_staff)


@functools.cache
def is_restricted(model) -> bool:
    """Whether some rows of `model` are hidden from the public (it has `published()`)."""
    return callable(getattr(model._default_manager.get_queryset(), "published", None))


@functools.cache
def _own_state_only(model) -> bool:
    """Whether the rule is the row's own publication state alone, so a join can test it."""
    queryset_class = type(model._default_manager.get_queryset())
    return getattr(queryset_class, "published", None) is PublishableQuerySet.published


def public(queryset):
    """`queryset` narrowed to the rows the public may see."""
    published = getattr(queryset, "published", None)
    return published() if callable(published) else queryset


def visible(model):
    """Every row of `model` the public may see."""
    return public(model._default_manager.all())


def for_request(queryset, request):
    """`queryset` as the client of `request` may see it: whole for staff, else public."""
    return queryset if sees_drafts(request) else public(queryset)


def related_condition(model, path):
    """A condition on rows of another model that holds where the `model` row their
    foreign key `path` points at is public; None when every row of `model` is."""
    if not is_restricted(model):
        return None
    if _own_state_only(model):
        return Q(**{f"{path}__publication_state": PublicationState.PUBLISHED})
    return Exists(visible(model).filter(pk=OuterRef(path)))


def shows(model, value, memo=None) -> bool:
    """Whether the public may see `value`, a row of `model` (an instance, or any object
    with its `pk`). `memo` keeps answers that took a query, for the rest of a request."""
    if not is_restricted(model):
        return True
    if _own_state_only(model) and isinstance(value, model):
        return value.publication_state == PublicationState.PUBLISHED
    key = (model, value.pk)
    if memo is not None and key in memo:
        return memo[key]
    answer = visible(model).filter(pk=value.pk).exists()
    if memo is not None:
        memo[key] = answer
    return answer
