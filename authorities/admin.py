from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from authorities.models import Authority, Council, Office, Party, Person


@admin.register(Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "gss_code", "publication_state"]
    list_filter = ["kind", "publication_state"]
    search_fields = ["name", "short_name", "gss_code"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Council)
class CouncilAdmin(SimpleHistoryAdmin):
    list_display = ["name", "authority", "gss_code"]
    list_select_related = ["authority"]
    search_fields = ["name", "gss_code"]


@admin.register(Party)
class PartyAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "colour"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "wikidata_id"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Office)
class OfficeAdmin(SimpleHistoryAdmin):
    list_display = ["person", "title", "authority", "party", "started_on", "ended_on"]
    list_select_related = ["person", "authority", "party"]
    list_filter = ["publication_state", "authority"]
    search_fields = ["person__name", "title", "authority__name"]
    autocomplete_fields = ["person", "authority", "party", "sources"]
