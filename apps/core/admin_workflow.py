"""Workflow steps as admin buttons: shown only when allowed, each running one service.

django-fsm-2's FSMAdminMixin applies any transition that is POSTed, whatever the user's
permission; this mixin runs services instead, which check state (409) and permission (403).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from apps.core.admin_history import HistoryInline
from apps.core.exceptions import DomainError
from apps.core.workflow import step_inputs


def error_text(error):
    """One readable line from a ValidationError, naming its fields."""
    if hasattr(error, "error_dict"):
        return " ".join(
            f"{msg}" if field == "__all__" else f"{field.replace('_', ' ').capitalize()}: {msg}"
            for field, msgs in error.message_dict.items()
            for msg in msgs
        )
    return " ".join(error.messages)


def run_and_report(request, action, success):
    """Run a service call for the admin; True when it succeeded, each refusal shown as a message.

    `success` is the message shown when it succeeded (None: the caller says it).
    """
    try:
        action()
    except (DomainError, PermissionDenied) as exc:
        messages.error(request, str(exc) or "You do not have permission to do that.")
    except ValidationError as exc:
        messages.error(request, error_text(exc))
    else:
        if success:
            messages.success(request, success)
        return True
    return False


class ServiceDeleteMixin:
    """Every admin door that deletes goes through `delete_service(obj, user)`; without one, deleting is off.

    Django's own delete page and its "Delete selected" action delete rows directly. Here the
    page and the action call the service for each record, and a refusal is shown with the
    service's words while the record stays.
    """

    delete_service = None
    #: Optional `(obj) -> str | None`: why the service would refuse to delete `obj` now. A record it names
    #: offers no Delete button on its page, and its delete page goes back to the record with that reason.
    delete_refusal = None

    def _delete_refusal(self, obj):
        return self.delete_refusal(obj) if obj is not None and self.delete_refusal is not None else None

    def has_delete_permission(self, request, obj=None):
        return self.delete_service is not None and super().has_delete_permission(request, obj)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        if obj is not None and self._delete_refusal(obj):
            # No Delete button on a record the service would refuse. (Not in has_delete_permission: the bulk
            # action's confirmation would then refuse the whole selection instead of naming each refusal.)
            response.context_data["has_delete_permission"] = False
        return response

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                delete_selected_through_service,
                "delete_selected",
                delete_selected.short_description,
            )
        return actions

    def delete_model(self, request, obj):
        self.delete_service(obj, request.user)

    def delete_view(self, request, object_id, extra_context=None):
        refusal = self._delete_refusal(self.get_object(request, unquote(object_id)))
        try:
            if refusal:
                raise DomainError(refusal)
            return super().delete_view(request, object_id, extra_context)
        except (DomainError, ValidationError) as exc:
            messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else str(exc))
            info = self.opts.app_label, self.opts.model_name
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[object_id]))


def delete_selected_through_service(modeladmin, request, queryset):
    """Django's confirmation page first; once confirmed, each record through the service, each refusal named."""
    if not request.POST.get("post"):
        return delete_selected(modeladmin, request, queryset)
    if not modeladmin.has_delete_permission(request):
        raise PermissionDenied

    def delete(obj):
        with transaction.atomic():
            modeladmin.log_deletions(request, [obj])
            modeladmin.delete_service(obj, request.user)

    selected = list(queryset)
    deleted = sum(run_and_report(request, lambda o=obj: delete(o), None) for obj in selected)
    if deleted:
        messages.success(
            request, f"Deleted {deleted} of the {len(selected)} selected {modeladmin.opts.verbose_name_plural}."
        )
    return None


def step_outcome(step, obj):
    """The admin's message after `step` succeeded on `obj`: (level, text)."""
    if callable(step.done):
        return step.done(obj)
    return messages.SUCCESS, step.done.format(obj=obj)


def _editable(context):
    """Whether a change page has anything to save: a field of its form, or an inline that takes changes."""
    adminform = context.get("adminform")
    if adminform is not None and adminform.form.fields:
        return True
    return any(
        inline.has_add_permission
        or inline.formset.can_delete
        or (inline.has_change_permission and bool(inline.formset.form.base_fields))  # not all read-only
        for inline in context.get("inline_admin_formsets", [])
    )


class WorkflowAdminMixin(ServiceDeleteMixin):
    """Buttons made from the record kind's steps: `exporter.steps`, or `steps` for the queue's own records.

    A workflow record is never deleted in the admin (no service deletes one): it is retrieved, voided or archived.
    """

    change_form_template = "admin/workflow/change_form.html"
    exporter = None
    steps = ()
    inlines = [HistoryInline]

    @property
    def workflow_steps(self):
        return self.exporter.steps if self.exporter is not None else self.steps

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/step/<str:step>/",
                self.admin_site.admin_view(self.step_view),
                name="{}_{}_step".format(*info),
            ),
            *super().get_urls(),
        ]

    def get_inlines(self, request, obj):
        inlines = super().get_inlines(request, obj)
        # A record being added has no history yet.
        return inlines if obj is not None else [i for i in inlines if i is not HistoryInline]

    def _steps(self, request, obj):
        return [step for step in self.workflow_steps if step.allowed(obj, request.user)]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        extra_context = extra_context or {}
        if obj is not None:
            extra_context["workflow_buttons"] = [
                (
                    step,
                    reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_step", args=[obj.pk, step.name]),
                )
                for step in self._steps(request, obj)
            ]
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and not _editable(context):
            # Nothing on the page can change in the record's state: no Save that would only say "changed".
            context.update(show_save=False, show_save_and_continue=False, show_save_and_add_another=False)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def step_details(self, obj):
        """Optional HTML shown on a step's page above its form (the queue shows what is decided on)."""
        return ""

    def step_view(self, request, object_id, step):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        step_def = next((s for s in self.workflow_steps if s.name == step), None)
        if step_def is None:
            raise Http404
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk])
        if request.method != "POST" and step_def not in self._steps(request, obj):
            messages.error(request, f"'{step_def.label}' is not available to you for {obj} now.")
            return HttpResponseRedirect(change_url)
        form_class = step_def.form(obj) if step_def.form else None
        form = form_class(request.POST or None) if form_class else None
        if request.method == "POST" and (form is None or form.is_valid()):
            data = step_inputs(form.cleaned_data) if form else {}
            try:
                step_def.run(obj, request.user, data)
            except ValidationError as exc:
                if form is None:
                    messages.error(request, error_text(exc))
                    return HttpResponseRedirect(change_url)
                for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
                    form.add_error(field if field in form.fields else None, msgs)
            except (DomainError, PermissionDenied) as exc:
                messages.error(request, str(exc) or "You do not have permission to do that.")
                return HttpResponseRedirect(change_url)
            else:
                level, text = step_outcome(step_def, self.get_object(request, object_id))
                messages.add_message(request, level, text)
                return HttpResponseRedirect(change_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": obj,
            "step": step_def,
            "form": form,
            "change_url": change_url,
            "title": f"{step_def.label}: {obj}",
            "details": self.step_details(obj),
        }
        return TemplateResponse(request, "admin/workflow/step.html", context)


def add_refusal(form, exc):
    """A service's refusal as the form's errors, each under its field where the form has it."""
    if isinstance(exc, ValidationError):
        for field, msgs in getattr(exc, "message_dict", {"__all__": exc.messages}).items():
            form.add_error(field if field in form.fields else None, msgs)
    else:
        form.add_error(None, str(exc) or "You do not have permission to do that.")


class ERPDisplayMixin:
    """The ERP status and messages of an exported record, as the list and the page show them."""

    @admin.display(description="ERP status", ordering="erp_status")
    def erp_status_badge(self, obj):
        return status_badge(obj.get_erp_status_display(), obj.erp_status)

    @admin.display(description="ERP messages")
    def erp_messages_list(self, obj):
        return bullet_list(obj.erp_messages)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return status_badge(obj.get_status_display(), obj.status)


class LockableInlineMixin:
    """An inline editable only while its record allows it: `editable(obj)`; a new record's always is."""

    def editable(self, obj):
        return True

    def has_add_permission(self, request, obj=None):
        return (obj is None or self.editable(obj)) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return (obj is None or self.editable(obj)) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return (obj is None or self.editable(obj)) and super().has_delete_permission(request, obj)


class ComputedAmountLineForm(forms.ModelForm):
    """A line whose amount is quantity × unit cost (`computes_amount()`): editing only the factors recomputes it.

    The amount on the page was computed from the factors it was saved with; left as it was beside new
    factors, it is not a typed amount, so it goes to the service empty. An amount the person typed goes as
    typed, and the service refuses it if it is not the product.
    """

    def computes_amount(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        refactored = {"quantity", "unit_cost"} & set(self.changed_data)
        if self.instance.pk and refactored and "amount" not in self.changed_data and self.computes_amount():
            cleaned["amount"] = None
        return cleaned


def status_badge(label, state):
    return format_html('<span class="erp-badge erp-badge--{}">{}</span>', state, label)


def money(amount):
    """An amount as accountants read it: 17,825.00."""
    return "—" if amount is None else f"{amount:,.2f}"


def bullet_list(items):
    if not items:
        return "—"
    return format_html("<ul class='erp-messages'>{}</ul>", format_html_join("", "<li>{}</li>", ((i,) for i in items)))


class ServiceForm(forms.ModelForm):
    """An admin add form whose save is a service call, made in clean() so that refusals become form errors.

    The admin's add view runs in a transaction, rolled back if the form still ends up invalid.
    Subclasses set `service(user, cleaned_data) -> created object`.
    """

    user = None
    created = None

    def service(self, user, data):
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.created = self.service(self.user, data)
        except (ValidationError, DomainError, PermissionDenied) as exc:
            add_refusal(self, exc)
        else:
            # Django checks the model's unique constraints after clean(): against the unsaved instance they
            # would find the record the service just created and refuse it as a duplicate of itself.
            self.instance = self.created
        return data

    def _post_clean(self):
        super()._post_clean()
        if self.created is not None and self.errors:
            # Django's own checks refused what the service wrote: undo it with the admin view's transaction.
            transaction.set_rollback(True)


class ServiceFormAdminMixin:
    """Adds through a ServiceForm: the service has created the record by the time save_model runs."""

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.user = request.user
        return form

    def save_model(self, request, obj, form, change):
        obj.pk = form.created.pk
