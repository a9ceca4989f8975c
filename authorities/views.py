"""Public pages for authorities and people."""

from django.views.generic import DetailView

from authorities.models import Authority, Person


class AuthorityDetailView(DetailView):
    template_name = "authorities/authority_detail.html"
    context_object_name = "authority"

    def get_queryset(self):
        return Authority.objects.published()


class PersonDetailView(DetailView):
    template_name = "authorities/person_detail.html"
    context_object_name = "person"

    def get_queryset(self):
        return Person.objects.published()
