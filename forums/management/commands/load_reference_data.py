"""Load the reference data in fixtures/ without ever overwriting a staff edit.

`loaddata` overwrites every row it names, so a second run would silently undo whatever
staff corrected in the admin. This command instead treats each fixture row as a
proposal and decides per row:

* the row does not exist and was never loaded: create it;
* the row already matches the fixture: leave it alone (so loading twice writes nothing);
* the row was last written by this command: update it to the fixture;
* anybody else wrote the row (or deleted it) after this command last did: skip it and
  name it in the report, so a person can reconcile the two by hand.

"Last written by this command" is read from the row's django-simple-history trail: every
write here records a history entry whose change reason starts with CHANGE_REASON, and any
later save by anyone else (admin, API, shell, a service) records an entry without it.

The report names every row it created, updated (with the fields that changed) or skipped
(with the fields that differ from the fixture), then gives the counts per model and in all.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections

from igr import policy

CHANGE_REASON = "load_reference_data"
# Bookkeeping fields differ between a loaded row and its fixture by design.
IGNORED_FIELDS = {"created_at", "updated_at"}


def row_state(instance, m2m: dict | None = None) -> dict:
    """The row's comparable content: concrete fields as the serializer writes them, plus
    many-to-many links as sorted primary keys (from `m2m` for an unsaved fixture row)."""
    opts = instance._meta
    concrete = [
        f.name for f in opts.concrete_fields if not f.primary_key and f.name not in IGNORED_FIELDS
    ]
    [data] = serializers.serialize("python", [instance], fields=concrete)
    state = {name: data["fields"].get(name) for name in concrete}
    for field in opts.many_to_many:
        if not field.remote_field.through._meta.auto_created:
            continue  # links with their own model (memberships) are fixture rows themselves
        if m2m is not None:
            values = m2m.get(field.name, [])
        else:
            values = getattr(instance, field.name).values_list("pk", flat=True)
        state[field.name] = sorted(values)
    return state


def last_history_entry(model, pk):
    history = getattr(model, "history", None)
    if history is None:
        return None
    return (
        history.model.objects.filter(**{model._meta.pk.attname: pk})
        .order_by("-history_date", "-history_id")[:1]
        .first()
    )


class Command(BaseCommand):
    help = (
        "Load the reference data in fixtures/*.json: create missing rows, update rows this "
        "command wrote and nobody has changed since, and skip (and name) rows edited in the "
        "admin. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "paths",
            nargs="*",
            help="Fixture files to load, in order (default: fixtures/*.json sorted by name).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, paths, database, verbosity, **options):
        files = [Path(p) for p in paths] or sorted(
            (Path(settings.BASE_DIR) / "fixtures").glob("*.json")
        )
        if not files:
            raise CommandError("No fixture files found.")
        counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
        per_model = {}
        skipped = []
        touched_models = set()
        try:
            with policy.writing(using=database):
                for path in files:
                    for outcome, model, label in self.load_file(path, database, touched_models):
                        counts[outcome] += 1
                        per_model.setdefault(model, dict.fromkeys(counts, 0))[outcome] += 1
                        if outcome == "skipped":
                            skipped.append(label)
                        elif outcome != "unchanged" and verbosity >= 1:
                            self.stdout.write(f"{outcome}: {label}")
                self.reset_sequences(database, touched_models)
        except (ValidationError, IntegrityError, serializers.base.DeserializationError) as error:
            raise CommandError(
                f"The reference data did not load; nothing was saved. {error}"
            ) from error

        for label in skipped:
            self.stderr.write(f"skipped: {label}")
        if verbosity >= 1:
            for model, tally in per_model.items():
                if tally["created"] or tally["updated"] or tally["skipped"]:
                    self.stdout.write(
                        "  {model}: {created} created, {updated} updated, {unchanged} unchanged, "
                        "{skipped} skipped".format(model=model, **tally)
                    )
        self.stdout.write(
            "Reference data: {created} created, {updated} updated, {unchanged} unchanged, "
            "{skipped} skipped (changed by staff since the last load).".format(**counts)
        )

    def load_file(self, path: Path, database: str, touched_models: set):
        try:
            text = path.read_text(encoding="utf-8")
            json.loads(text)
        except (OSError, ValueError) as error:
            raise CommandError(f"{path}: cannot read the fixture ({error}).") from error
        reason = f"{CHANGE_REASON}: {path.name}"
        for wrapped in serializers.deserialize("json", text, using=database):
            try:
                outcome, label = self.load_row(wrapped, reason, database)
            except ValidationError as error:
                obj = wrapped.object
                raise ValidationError(
                    f"{path.name}: {obj._meta.label} pk={obj.pk} ({obj}): {error}"
                ) from error
            touched_models.add(type(wrapped.object))
            yield outcome, wrapped.object._meta.label, label

    def load_row(self, wrapped, reason: str, database: str):
        proposed = wrapped.object
        model = type(proposed)
        label = f"{model._meta.label} pk={proposed.pk} “{proposed}”"
        desired = row_state(proposed, m2m=wrapped.m2m_data)
        current = model._default_manager.using(database).filter(pk=proposed.pk).first()
        last = last_history_entry(model, proposed.pk)
        loaded_last = last is not None and (last.history_change_reason or "").startswith(
            CHANGE_REASON
        )

        if current is None:
            if last is not None:  # it existed once, so someone deleted it: respect that
                return "skipped", f"{label} (deleted since it was loaded)"
            self.write(wrapped, reason, database, create=True)
            return "created", label
        found = row_state(current)
        if found == desired:
            if last is None:
                # Loaded by plain loaddata: sign it so later edits are told apart from ours.
                self.write(wrapped, reason, database, create=False, existing=current)
            return "unchanged", label
        # Naming the fields lets a person settle a skipped row without diffing by hand.
        differing = ", ".join(name for name in desired if desired[name] != found.get(name))
        if loaded_last:
            self.write(wrapped, reason, database, create=False, existing=current)
            return "updated", f"{label} ({differing})"
        return "skipped", f"{label} (differs from the fixture in: {differing})"

    def write(self, wrapped, reason, database, *, create, existing=None):
        obj = wrapped.object
        if existing is not None:
            obj.created_at = existing.created_at
            obj._state.adding = False  # so unique checks do not meet the row itself
        obj.full_clean()
        obj._change_reason = reason
        # A normal save (not loaddata's raw one) stamps updated_at, so API clients syncing
        # with ?modified_since= see the change, and records the history entry.
        obj.save(using=database, force_insert=create)
        # Links the fixture leaves out are cleared, as row_state() compares them as empty.
        for field in obj._meta.many_to_many:
            if field.remote_field.through._meta.auto_created:
                getattr(obj, field.name).set(wrapped.m2m_data.get(field.name, []))
        policy.touched(obj, existing)

    def reset_sequences(self, database, touched_models):
        # Rows came with explicit primary keys; move PostgreSQL's sequences past them so
        # the next row added in the admin does not collide (loaddata does the same).
        connection = connections[database]
        statements = connection.ops.sequence_reset_sql(no_style(), list(touched_models))
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
