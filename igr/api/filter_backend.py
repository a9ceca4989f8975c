"""The filter backend: the shared FilterSets, with errors named by query parameter.

A date range filter `date` is sent as `date_after` / `date_before`, but its form reports
errors under `date`; an analyst's script should be told which parameter it got wrong.
"""

from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.template import loader
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ErrorDetail, ValidationError


def _sent_parameters(name, field, params):
    """The suffixed parameters (`date_after`…) behind a range filter's error, if any."""
    suffixes = getattr(getattr(field, "widget", None), "suffixes", None)
    if not suffixes:
        return [name]
    sent = [(i, f"{name}_{s}") for i, s in enumerate(suffixes) if f"{name}_{s}" in params]
    bad = []
    for index, parameter in sent:
        try:
            field.fields[index].clean(params[parameter])
        except DjangoValidationError:
            bad.append(parameter)
    return bad or [p for _, p in sent] or [name]


#: Query parameters that belong to pagination and rendering, never to a FilterSet.
NOT_FILTERS = {"format", "page", "page_size", "cursor"}


class FilterBackend(DjangoFilterBackend):
    """The view's FilterSet over the query string, less the pagination and format
    parameters, which the FilterSet names as allowed but leaves to others. Strict
    (igr.filters): an unknown parameter or a value that does not parse is a 400."""

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        data = request.query_params.copy()
        for name in NOT_FILTERS:
            data.pop(name, None)
        kwargs["data"] = data
        return kwargs

    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            filterset.other_parameters = tuple(sorted(NOT_FILTERS))
        return filterset

    def filtering_filterset(self, request, queryset, view):
        """The FilterSet that filters a list: its form never shown, so it holds only the
        fields of the parameters given (BaseFilterSet.only_given_fields)."""
        filterset = self.get_filterset(request, queryset, view)
        if filterset is not None:
            filterset.only_given_fields = True
        return filterset

    def filter_queryset(self, request, queryset, view):
        filterset = self.valid_filterset(request, queryset, view)
        return queryset if filterset is None else filterset.qs

    def valid_filterset(self, request, queryset, view):
        """The list's FilterSet over the query string, its values cleaned; None when no
        filter is given. A value that does not parse is a 400 naming its parameter."""
        if set(request.query_params) <= NOT_FILTERS:
            # Nothing to filter: a FilterSet given no values returns the queryset as it
            # is, and building one (deep copies of every filter and its form) cost a
            # fifth of a detail request.
            return None
        filterset = self.filtering_filterset(request, queryset, view)
        if filterset is None:
            return None
        if not filterset.is_valid():
            errors = {}
            for name, problems in filterset.form.errors.as_data().items():
                field = filterset.form.fields.get(name)
                details = [
                    ErrorDetail(message, code=problem.code)
                    for problem in problems
                    for message in problem.messages
                ]
                for parameter in _sent_parameters(name, field, request.query_params):
                    errors[parameter] = details
            raise ValidationError(errors)
        return filterset

    def to_html(self, request, queryset, view):
        """The browsable API's filter form, with relation filters as text boxes for a slug.

        As <select>s they listed every record, with a query per label, which made a big
        list unusable in a browser (docs/benchmarks.md)."""
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return None
        for field in filterset.form.fields.values():
            if isinstance(field, forms.ModelChoiceField):  # includes the multiple kind
                field.widget = forms.TextInput(attrs={"placeholder": "slug or id"})
        return loader.get_template(self.template).render({"filter": filterset}, request)
