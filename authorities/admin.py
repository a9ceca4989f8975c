"""The authorities admin. Shared behaviour (roles, publishing, reasons, history, no lost
edits) comes from igr.admin.RecordAdmin; each changelist states the relations
its columns cross in list_select_related."""

from django.contrib import admin

from authorities.models import Authority, Council, Office, Party, Person
from igr.admin import RecordAdmin, RecordInline


class CouncilInline(RecordInline, admin.TabularInline):
    model = Council
    fields = ["name", "gss_code", "is_non_constituent", "notes", "version"]


@admin.register(Authority)
class AuthorityAdmin(RecordAdmin):
    list_display = ["name", "kind", "gss_code", "devolution_tier", "publication_state"]
    list_filter = ["kind", "publication_state", "devolution_tier"]
    search_fields = ["name", "short_name", "gss_code", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    inlines = [CouncilInline]


@admin.register(Council)
class CouncilAdmin(RecordAdmin):
    list_display = ["name", "authority", "gss_code", "is_non_constituent"]
    list_select_related = ["authority"]
    list_filter = ["is_non_constituent", "authority"]
    search_fields = ["name", "gss_code", "authority__name"]
    autocomplete_fields = ["authority"]


@admin.register(Party)
class PartyAdmin(RecordAdmin):
    list_display = ["name", "short_name", "colour"]
    list_filter = [("colour", admin.EmptyFieldListFilter)]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["name"]}


class OfficeInline(RecordInline, admin.TabularInline):
    model = Office
    fk_name = "person"
    fields = ["title", "authority", "party", "started_on", "ended_on", "version"]
    autocomplete_fields = ["authority", "party"]
    readonly_fields = ["publication_state"]
    show_change_link = True


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    list_display = ["name", "wikidata_id"]
    list_filter = [("wikidata_id", admin.EmptyFieldListFilter)]
    search_fields = ["name", "slug", "wikidata_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [OfficeInline]


@admin.register(Office)
class OfficeAdmin(RecordAdmin):
    list_display = [
        "person",
        "title",
        "authority",
        "party",
        "started_on",
        "ended_on",
        "publication_state",
    ]
    list_select_related = ["person", "authority", "party"]
    list_filter = ["publication_state", "title", "party", "started_on"]
    search_fields = ["person__name", "title", "authority__name"]
    autocomplete_fields = ["person", "authority", "party", "sources"]
