"""What every admin screen shares: roles, publishing, reasons, history and no lost edits.

- Roles: an Editor changes drafts only; published and withdrawn records (and the rows of
  a published meeting) need the publish_<model> permission, which Publishers hold.
- Who may change what, and how publication moves, is igr.policy's: publish and
  withdraw (the "Save and publish" button and the bulk actions), never by editing
  publication_state. Every POST is one igr.policy.writing() transaction.
- Editing a published record asks for a reason, stored on its history row.
- Optimistic locking: every form carries the record's `updated_at` as a hidden version;
  a save from a form opened before someone else's save is refused with the user's input
  kept on the form. Inline rows carry their own version; the page's parent covers the rest.
- Database constraint errors raised by a concurrent writer are shown on the form, never
  as a 500.
"""

import contextlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from igr import policy
from igr.api.pagination import CachedCountPaginator

PUBLISH_BUTTON = "_publish"
# Reverting to an old version restores what staff typed, never these: publication moves
# only through the publish service, a commitment's status only through its own service,
# and a slug never changes.
REVERT_KEEPS = (
    "publication_state",
    "published_at",
    "withdrawal_reason",
    "status_changed_on",
    "slug",
    "created_at",
    "updated_at",
)
CHANGE_REASON = "change_reason"
VERSION = "version"

# Constraint messages that belong beside one field rather than above the whole form.
CONSTRAINT_FIELDS = {
    "office_ends_after_it_starts": "ended_on",
    "authority_abolished_not_before_established": "abolished_on",
    "authority_population_has_year": "population_year",
    "forum_dissolved_not_before_founded": "dissolved_on",
    "forum_promise_has_source": "promise_source",
    "membership_ends_after_it_starts": "ended_on",
    "meeting_postponed_or_cancelled_has_reason": "status_reason",
    "attendance_substitute_names_whom": "substitute_for",
    "attendance_only_substitutes_stand_in": "substitute_for",
    "attendance_not_substitute_for_self": "substitute_for",
    "attendance_once_per_meeting": "person",
    "agenda_item_order_unique_per_meeting": "order",
    "commitment_lineage_not_self": "supersedes",
}


def version_of(obj) -> str:
    return obj.updated_at.isoformat() if getattr(obj, "updated_at", None) else ""


def _who_changed(obj) -> str:
    """ "Ann Editor at 14:02 on 3 March 2025", from the record's latest history row."""
    record = obj.history.order_by("-history_date").select_related("history_user").first()
    if record is None:
        return "someone else"
    who = record.history_user.get_username() if record.history_user else "someone else"
    return f"{who} at {record.history_date:%H:%M:%S} on {record.history_date:%-d %B %Y}"


def _move_constraint_errors(form):
    """Put each known constraint's message beside its field, where the user looks."""
    model = form._meta.model
    targets = {
        str(c.violation_error_message): CONSTRAINT_FIELDS[c.name]
        for c in model._meta.constraints
        if c.name in CONSTRAINT_FIELDS and c.violation_error_message
    }
    general = form._errors.get(NON_FIELD_ERRORS) if form._errors else None
    if not general:
        return
    for error in list(general.as_data()):
        for message in error.messages:
            field = targets.get(message)
            if field and field in form.fields and not form.fields[field].disabled:
                general.data.remove(error)
                form._errors.setdefault(field, form.error_class(field_id=field)).append(message)
                if field in form.cleaned_data:
                    del form.cleaned_data[field]
                break
    if not general.data:
        del form._errors[NON_FIELD_ERRORS]


class RecordForm(forms.ModelForm):
    """The admin form of every record: a hidden version and, when editing, a reason."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="Kept in the record's history. Required when the record is published.",
    )

    # Set per request by RecordAdmin.get_form.
    request = None
    # The record as it is in the database now, when the form was built from an old
    # version of it (simple-history's revert screen).
    current = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION].initial = version_of(self.current or self.instance)

    @property
    def publishing(self) -> bool:
        return PUBLISH_BUTTON in self.data

    def clean(self):
        cleaned = super().clean()
        refused = getattr(self.request, "_igr_database_refused", None)
        if refused is not None:
            raise ValidationError(
                "The database refused this change, probably because someone saved a "
                "clashing record at the same moment. Nothing was saved; check the form "
                f"and save again. (Detail: {refused})"
            )
        if self.instance.pk is not None:
            self._check_version()
            changed = [name for name in self.changed_data if name not in (VERSION, CHANGE_REASON)]
            # Reverting to an old version changes the record even if the form is untouched.
            changed = changed or self.current is not None
            if (
                policy.needs_reason(self.current or self.instance)
                and changed
                and not (cleaned.get(CHANGE_REASON) or "").strip()
            ):
                self.add_error(CHANGE_REASON, policy.reason_message(in_admin=True))
        if self.publishing and "sources" in self.fields and not cleaned.get("sources"):
            meeting = cleaned.get("meeting")
            if not (meeting is not None and meeting.sources.exists()):
                self.add_error("sources", policy.source_required_message(self.instance))
        return cleaned

    def _check_version(self):
        current = self.current or self.instance
        sent = self.data.get(self.add_prefix(VERSION), "")
        now = version_of(current)
        if sent == now:
            return
        # Show the current version from now on, so saving again (having read the message)
        # is a deliberate choice to replace the other person's changes.
        self.data = self.data.copy()
        self.data[self.add_prefix(VERSION)] = now
        raise ValidationError(
            f"{current._meta.verbose_name.capitalize()} “{current}” was changed by "
            f"{_who_changed(current)}, after you opened this page. Nothing was saved. "
            "Your input is still on this form: open the record in another tab to see their "
            "changes, then save again to replace them with yours.",
            code="stale",
        )

    def _post_clean(self):
        super()._post_clean()
        _move_constraint_errors(self)


class RecordInlineForm(forms.ModelForm):
    """An inline row with its own version, so a row changed elsewhere is not overwritten."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    # Set per request by RecordInline.get_formset.
    request = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION].initial = version_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        # A row that is a published record of its own (a commitment on a meeting's page,
        # an office on a person's) keeps the Publisher-only rule.
        if (
            self.instance.pk is not None
            and self.has_changed()
            and self.request is not None
            and not policy.may_change(self.request.user, self.instance)
        ):
            raise ValidationError(policy.refusal(self.instance))
        if self.instance.pk is not None and not cleaned.get("DELETE"):
            sent = self.data.get(self.add_prefix(VERSION), "")
            if sent != version_of(self.instance):
                self.data = self.data.copy()
                self.data[self.add_prefix(VERSION)] = version_of(self.instance)
                raise ValidationError(
                    f"This row was changed by {_who_changed(self.instance)}, after you "
                    "opened this page. Nothing was saved; check it and save again.",
                    code="stale",
                )
        return cleaned

    def has_changed(self):
        return any(name != VERSION for name in self.changed_data)

    def _post_clean(self):
        super()._post_clean()
        _move_constraint_errors(self)


class RecordInlineFormSet(BaseInlineFormSet):
    """Changing the rows of a published record needs the same reason as the record."""

    def clean(self):
        super().clean()
        if (
            policy.needs_reason(self.instance)
            and any(form.has_changed() for form in self.forms)
            and not self.data.get(CHANGE_REASON, "").strip()
        ):
            raise ValidationError(policy.reason_message(in_admin=True))


#: Addresses typed without a scheme are read as https, as Django 6 will.
URL_FIELDS = {models.URLField: {"assume_scheme": "https"}}


class RecordInline:
    """Mixin for inlines: versioned rows, the published-record rule, no N+1 on selects."""

    formfield_overrides = URL_FIELDS

    form = RecordInlineForm
    formset = RecordInlineFormSet
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"request": request})
        return formset

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and policy.may_change(request.user, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and policy.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and policy.may_change(request.user, obj)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why are these records withdrawn?",
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Shown to staff on each record and kept in its history.",
    )


class RunLogAdmin(admin.ModelAdmin):
    """The log of a scheduled command's runs (the watchers, send_alerts): staff read it,
    nobody adds, edits or deletes a run from the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(SimpleHistoryAdmin):
    """Base admin for every domain model."""

    formfield_overrides = {**SimpleHistoryAdmin.formfield_overrides, **URL_FIELDS}

    form = RecordForm
    object_history_list_template = "admin/igr/object_history_list.html"
    object_history_form_template = "admin/igr/object_history_form.html"
    actions = ["publish_selected", "withdraw_selected"]
    history_list_per_page = 50
    # A changelist counted its rows twice on every view: the filtered rows (the
    # paginator) and, for "N results (M total)", the whole table, 300,000 commitments or
    # 1,000,000 attendance rows in the benchmark. The filtered count is cached like the
    # API's and the pages' (any write recounts); the whole-table count is left out, as
    # Django advises for big tables ("N results (Show all)" instead).
    paginator = CachedCountPaginator
    show_full_result_count = False

    # -- roles -----------------------------------------------------------------------

    @property
    def publishable(self) -> bool:
        return policy.is_publishable(self.model)

    def has_publish_permission(self, request) -> bool:
        return self.publishable and request.user.has_perm(policy.publish_permission(self.model))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and policy.may_change(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and policy.may_change(request.user, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.publishable:
            actions.pop("publish_selected", None)
            actions.pop("withdraw_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.publishable:
            fields += [
                f
                for f in ("publication_state", "published_at", "withdrawal_reason")
                if f not in fields
            ]
        return fields

    # -- forms -----------------------------------------------------------------------

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        attrs = {"request": request}
        current = getattr(request, "_igr_current_record", None)
        if current is not None:
            attrs["current"] = current
        return type(form.__name__, (form,), attrs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        extra = (VERSION, CHANGE_REASON)
        cleaned = []
        for name, options in fieldsets:
            fields = [f for f in options.get("fields", ()) if f not in extra]
            cleaned.append((name, {**options, "fields": fields}))
        if obj is not None and self.has_change_permission(request, obj):
            cleaned.append(("Record of this change", {"fields": [CHANGE_REASON, VERSION]}))
        return cleaned

    def get_fields(self, request, obj=None):
        if self.fields:
            return self.fields
        fields = super().get_fields(request, obj)
        return [f for f in fields if obj is not None or f not in (VERSION, CHANGE_REASON)]

    def _reason(self, request, form):
        if form is not None and hasattr(form, "cleaned_data"):
            return (form.cleaned_data.get(CHANGE_REASON) or "").strip()
        return request.POST.get(CHANGE_REASON, "").strip()

    def save_model(self, request, obj, form, change):
        current = getattr(form, "current", None)
        if current is not None:
            keep = [*REVERT_KEEPS, *(f.name for f in obj._meta.fields if not f.editable)]
            for name in keep:
                if hasattr(current, name):
                    setattr(obj, name, getattr(current, name))
        reason = self._reason(request, form)
        if reason:
            obj._change_reason = reason
        if change:
            policy.changing(obj)
        super().save_model(request, obj, form, change)
        policy.touched(obj)

    def save_formset(self, request, form, formset, change):
        reason = self._reason(request, form)
        instances = formset.save(commit=False)
        policy.changing(*instances, *formset.deleted_objects)
        for obj in formset.deleted_objects:
            if reason:
                obj._change_reason = reason
            obj.delete()
            policy.touched(obj)
        for obj in instances:
            if reason:
                obj._change_reason = reason
            obj.save()
        formset.save_m2m()
        policy.touched(*instances, *(f.instance for f in formset.forms if f.has_changed()))

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if PUBLISH_BUTTON in request.POST:
            published = policy.publish(
                form.instance, by=request.user, reason=self._reason(request, form)
            )
            self.message_user(request, _published_message(published), messages.SUCCESS)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        publishing = request.method == "POST" and PUBLISH_BUTTON in request.POST
        if publishing and not self.has_publish_permission(request):
            raise PermissionDenied
        extra_context = {
            **(extra_context or {}),
            "show_publish": self.has_publish_permission(request),
            "publishable": self.publishable,
        }
        try:
            with self._writing(request):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except (IntegrityError, DataError) as exc:
            # The transaction was rolled back; show the same forms again, with the
            # database's refusal as an error, so the user's input is kept.
            request._igr_database_refused = str(exc).splitlines()[0] if str(exc) else "-"
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if (
            obj is not None
            and request.method == "POST"
            and transaction.get_connection().in_atomic_block
        ):
            # Lock the row for the rest of the save, so the version check and the write
            # cannot be split by another writer (PostgreSQL; SQLite serialises writes).
            type(obj)._default_manager.select_for_update().filter(pk=obj.pk).exists()
        return obj

    def changelist_view(self, request, extra_context=None):
        if request.method == "POST" and not (
            self.has_change_permission(request) or self.has_delete_permission(request)
        ):
            raise PermissionDenied
        with self._writing(request):
            return super().changelist_view(request, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        with self._writing(request):
            return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        policy.touched(obj)

    def delete_queryset(self, request, queryset):
        records = list(queryset)
        super().delete_queryset(request, queryset)
        policy.touched(*records)

    def _writing(self, request):
        """A POST is one write under the policy (its lock first, derived data refreshed
        before commit); a GET writes nothing and takes no lock."""
        if request.method == "POST":
            return policy.writing(using=router.db_for_write(self.model))
        return contextlib.nullcontext()

    # -- publishing actions ------------------------------------------------------------

    @admin.action(description="Publish selected records", permissions=["publish"])
    def publish_selected(self, request, queryset):
        records = list(queryset)
        try:
            with policy.writing():
                published = []
                for obj in records:
                    published += policy.publish(obj, by=request.user)
        except ValidationError as exc:
            self.message_user(
                request,
                "Nothing was published. " + " ".join(exc.messages),
                messages.ERROR,
            )
            return None
        self.message_user(request, _published_message(published), messages.SUCCESS)
        return None

    @admin.action(description="Withdraw selected records…", permissions=["publish"])
    def withdraw_selected(self, request, queryset):
        form = WithdrawForm(request.POST if "post" in request.POST else None)
        if form.is_valid():
            withdrawn = []
            with policy.writing():
                for obj in queryset:
                    withdrawn += policy.withdraw(
                        obj, by=request.user, reason=form.cleaned_data["reason"]
                    )
            self.message_user(
                request,
                f"Withdrew {len(withdrawn)} record{'s' if len(withdrawn) != 1 else ''}: "
                + "; ".join(str(r) for r in withdrawn),
                messages.SUCCESS,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Withdraw from public view",
            "opts": self.model._meta,
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/igr/withdraw_confirmation.html", context)

    # -- history -----------------------------------------------------------------------

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        model = self.model
        current = self.get_object(request, unquote(object_id))
        if current is None:
            return self._get_obj_does_not_exist_redirect(request, model._meta, object_id)
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        request._igr_current_record = current
        old = model.history.filter(**{model._meta.pk.attname: current.pk})
        old = old.filter(history_id=version_id).first()
        latest = current.history.order_by("-history_date", "-history_id").first()
        rows = []
        if old is not None and latest is not None and old.pk != latest.pk:
            delta = latest.diff_against(old, foreign_keys_are_objs=True)
            helper = self.get_historical_record_context_helper(request, latest)
            skip = {*REVERT_KEEPS, *(f.name for f in model._meta.fields if not f.editable)}
            rows = [
                c
                for c, raw in zip(
                    helper.context_for_delta_changes(delta), delta.changes, strict=True
                )
                if raw.field not in skip
            ]
        extra_context = {**(extra_context or {}), "revert_changes": rows}
        try:
            with self._writing(request):
                return super().history_form_view(request, object_id, version_id, extra_context)
        except (IntegrityError, DataError) as exc:
            request._igr_database_refused = str(exc).splitlines()[0] if str(exc) else "-"
            return super().history_form_view(request, object_id, version_id, extra_context)


def _published_message(records) -> str:
    if not records:
        return "Nothing needed publishing."
    names = "; ".join(f"{r._meta.verbose_name} “{r}”" for r in records)
    return f"Published {names}. It is now on the public site."


def flag(text: str):
    """A visible warning in a changelist cell, using the admin's own alert icon."""
    from django.templatetags.static import static

    return format_html(
        '<img src="{}" alt="Warning:" width="14" height="14"> <strong>{}</strong>',
        static("admin/img/icon-alert.svg"),
        text,
    )


def redirect_to_change(obj):
    from django.urls import reverse

    opts = obj._meta
    return HttpResponseRedirect(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    )
