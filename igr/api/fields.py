"""What each field of the API means, where its serializer and model do not say: one
place for the OpenAPI descriptions (igr.api.schema) and the data dictionary page.

A field's description is its serializer's help_text (which for a model field is the
model's help_text); failing that, the entry here for its name; failing that, its model
field's verbose name."""

from django.core.exceptions import FieldDoesNotExist
from rest_framework import serializers

#: Descriptions by field name, for the fields that mean the same in every list.
FIELD_DESCRIPTIONS = {
    "id": "The record's numeric id; stable, never reused.",
    "slug": "The record's readable id in addresses and filters; stable.",
    "url": "This record in the API.",
    "name": "Name.",
    "short_name": "Short name or acronym.",
    "title": "Title.",
    "summary": "Summary in a sentence or two.",
    "description": "Description.",
    "notes": "Editors' notes on the record, such as how a fact was established.",
    "created_at": "When the record was first entered (ISO 8601).",
    "updated_at": "When the record last changed (ISO 8601); what `modified_since` compares.",
    "published_at": "When the record was first published (ISO 8601); null for a draft.",
    "publication_state": "draft, published or withdrawn; the public sees published only.",
    "kind": "Kind of record, one of the listed values.",
    "status": "Status, one of the listed values.",
    "date": "Date (YYYY-MM-DD).",
    "forum": "Slug of the forum.",
    "forum_name": "Name of the forum.",
    "meeting": "Slug of the meeting.",
    "meetings": "Meetings counted.",
    "person": "Slug of the person.",
    "person_name": "Name of the person.",
    "party": "Slug of the party; null for none or not known.",
    "party_name": "Name of the party.",
    "party_colour": "The party's colour as a hex code, for charts.",
    "colour": "Colour as a hex code, for charts.",
    "people": "Number of people (or, in a matrix, the rows of people).",
    "attendances": "Number of attendance records.",
    "commitment": "Id of the commitment.",
    "commitments": "Number of commitments.",
    "number": "The recommendation's number in its report (1–5).",
    "order": "Position on the agenda.",
    "mode": "How the person attended (in person, remotely, by substitute).",
    "location": "Where the meeting was held.",
    "start_time": "Start time (HH:MM), when known.",
    "outcome": "What was decided on the item.",
    "purpose": "What the forum is for.",
    "website": "The body's own website.",
    "gss_code": "The ONS Government Statistical Service code.",
    "population": "Population.",
    "population_year": "The year the population figure is for.",
    "established_on": "Date established.",
    "abolished_on": "Date abolished; null while it exists.",
    "dissolved_on": "Date dissolved; null while it exists.",
    "founded_on": "Date founded.",
    "started_on": "Date the office was taken up.",
    "due_on": "Date the commitment is due; null when no date was given.",
    "effective_on": "Date the change took effect.",
    "published_on": "Date published.",
    "last_verified_on": "Date the source was last checked to say what is cited.",
    "status_changed_on": "Date the status last changed.",
    "starts_on": "First day of the period.",
    "publisher": "Who published the source.",
    "quote": "The words of the source that support the record.",
    "note": "Why the status changed, in a sentence.",
    "new_status": "The status after the change.",
    "old_status": "The status before the change.",
    "evidence_source": "Id of the source evidencing the change.",
    "restates": "Id of an earlier commitment this one repeats.",
    "supersedes": "Id of an earlier commitment this one replaces.",
    "wikidata_id": "The Wikidata item (Q…), when there is one.",
    "legal_basis": "The statute or agreement the forum rests on; blank if none.",
    "is_statutory": "Whether the forum is set up in law.",
    "devolution_tier": "The authority's tier of devolution.",
    "code": "A machine-readable error code.",
    "message": "What is wrong, in words.",
    "errors": "Every error found, one per parameter or field.",
    "count": "How many records the filters match in all.",
    "next": "Address of the next page; null on the last.",
    "previous": "Address of the previous page; null on the first.",
    "results": "This page's records.",
    "files": "The release's files.",
    "rubric": "How the figures are worked out, in words.",
    "per_forum": "Party counts per forum.",
    "per_meeting": "Party counts per meeting.",
    "agenda_items": "Agenda items tagged with the recommendation.",
    "activity_per_quarter": "Meetings and commitments per calendar quarter.",
    "latest_activity": "Date of the latest meeting or commitment touching it.",
    "overdue_commitments": "Open commitments past their due date.",
    "commitments_total": "Published commitments counted.",
    "commitments_assessed": "Commitments whose status is no longer open, so can be scored.",
    "commitments_delivered": "Commitments delivered.",
    "commitments_overdue": "Open commitments past their due date.",
    "share_delivered": "Delivered as a share (0 to 1) of those assessed; null when none.",
    "attendance_rate": "Share (0 to 1) of member authorities present per held meeting; "
    "null when no attendance is recorded.",
    "communique_rate": "Share (0 to 1) of held meetings with a published communiqué.",
    "meetings_held_total": "Held, published meetings.",
    "meetings_held_last_12_months": "Held, published meetings in the last 12 months.",
    "promised_meetings_per_year": "How often the forum promised to meet; null if never said.",
    "expected_interval_days": "Days between meetings the promise implies; null if none.",
    "days_since_last_meeting": "Days since the last confirmed held meeting; null if none.",
    "record_checked_note": "What was searched when the record was last checked.",
}


def describe(field) -> str:
    """The description of a serializer field (see the module docstring)."""
    if field.help_text:
        return str(field.help_text)
    name = field.field_name
    if name in FIELD_DESCRIPTIONS:
        return FIELD_DESCRIPTIONS[name]
    model_field = _model_field(field)
    label = getattr(model_field, "verbose_name", None) or (field.label or name.replace("_", " "))
    text = str(label)
    return f"{text[:1].upper()}{text[1:]}."


def _model_field(field):
    parent = getattr(field, "parent", None)
    while isinstance(parent, serializers.ListSerializer | serializers.ListField):
        parent = parent.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    if model is None:
        return None
    try:
        return model._meta.get_field((field.source or field.field_name).split(".")[0])
    except (FieldDoesNotExist, AttributeError):
        return None


def kind_of(field) -> str:
    """A field's type in words, as the data dictionary gives it."""
    if isinstance(field, serializers.ManyRelatedField):
        return f"list of {kind_of(field.child_relation)}, joined with '; ' in CSV"
    if isinstance(field, serializers.HyperlinkedIdentityField):
        return "API path"
    if isinstance(field, serializers.SlugRelatedField):
        return f"slug of {field.queryset.model._meta.verbose_name}"
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return f"id of {field.queryset.model._meta.verbose_name}"
    if isinstance(field, serializers.ChoiceField):
        return "one of: " + ", ".join(str(c) for c in field.choices)
    kinds = {
        serializers.DateTimeField: "date-time (ISO 8601)",
        serializers.DateField: "date (YYYY-MM-DD)",
        serializers.TimeField: "time (HH:MM:SS)",
        serializers.BooleanField: "boolean",
        serializers.IntegerField: "integer",
        serializers.FloatField: "number",
        serializers.URLField: "URL",
        serializers.CharField: "text",
    }
    return next((k for cls, k in kinds.items() if isinstance(field, cls)), "value")


def dictionary(serializer) -> list[dict]:
    """The data dictionary of one list: its columns (the JSON's fields, in order, as the
    CSV has them) with their type and description, from the serializer itself."""
    return [
        {"column": name, "type": kind_of(field), "description": describe(field)}
        for name, field in serializer.fields.items()
        if not field.write_only
    ]
