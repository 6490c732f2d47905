"""The budget file import screens: upload, preview, confirm, each door checked by the budget services."""

import contextlib
import logging
import os

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpResponseRedirect
from django.urls import reverse
from import_export.admin import ImportMixin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import TempFolderStorage

from apps.budgets import budget_file, services
from apps.budgets.models import Budget
from apps.budgets.resources import BudgetCSV, BudgetLineResource, BudgetXLSX
from apps.core.exceptions import DomainError, PermissionDenied

logger = logging.getLogger(__name__)

#: The confirm step names the uploaded file by a reference signed for one user and one budget, so a
#: hand-set name cannot make the server read (and then delete) another file of the temporary folder.
UPLOAD_SALT = "budgets.import.upload"
#: How long a preview waits for its confirmation.
UPLOAD_MAX_AGE = 2 * 60 * 60
UPLOAD_EXPIRED = "This preview is more than 2 hours old: upload the budget file again."
UPLOAD_GONE = "The uploaded file is no longer on the server (already imported, or cleaned away): upload it again."
UPLOAD_FORGED = "This confirmation does not belong to a file you uploaded for this budget: upload the file again."


class UploadGone(Exception):
    """The confirm step's file is not in the temporary folder any more."""


class BudgetUploadStorage(TempFolderStorage):
    """The uploaded file between preview and confirm: one that is gone is a message, not a 500."""

    def read(self):
        try:
            return super().read()
        except FileNotFoundError:
            raise UploadGone(UPLOAD_GONE) from None

    def remove(self):
        with contextlib.suppress(FileNotFoundError):
            super().remove()


class BudgetImportForm(ImportForm):
    budget = forms.ModelChoiceField(queryset=Budget.objects.select_related("project"))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        try:
            budget_file.refuse_size(upload.size)  # before the file is copied and read
        except budget_file.FileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload

    def clean_budget(self):
        budget = self.cleaned_data["budget"]
        try:
            services.budget_import_allowed(budget=budget, user=self.user)
        except (DomainError, PermissionDenied) as exc:
            raise forms.ValidationError(str(exc)) from None
        return budget


def sign_upload(*, name, user, budget):
    """The confirm form's reference to the file this upload wrote, valid for this user and budget only."""
    return signing.dumps({"file": os.path.basename(name), "user": user.pk, "budget": budget.pk}, salt=UPLOAD_SALT)


class BudgetConfirmImportForm(ConfirmImportForm):
    budget = forms.ModelChoiceField(queryset=Budget.objects.all(), widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_import_file_name(self):
        return self.cleaned_data["import_file_name"]  # a signed reference, read in clean()

    def clean(self):
        cleaned = super().clean()
        try:
            upload = signing.loads(cleaned.get("import_file_name", ""), salt=UPLOAD_SALT, max_age=UPLOAD_MAX_AGE)
        except signing.SignatureExpired:
            raise forms.ValidationError(UPLOAD_EXPIRED, code="expired") from None
        except signing.BadSignature:
            raise forms.ValidationError(UPLOAD_FORGED, code="forged") from None
        budget = cleaned.get("budget")
        name = upload.get("file", "")
        if (
            self.user is None
            or upload.get("user") != self.user.pk
            or budget is None
            or upload.get("budget") != budget.pk
            or not name
            or os.path.basename(name) != name
        ):
            raise forms.ValidationError(UPLOAD_FORGED, code="forged")
        cleaned["import_file_name"] = name
        return cleaned


class BudgetImportAdminMixin(ImportMixin):
    """The line list's import: a budget chosen on upload, the preview confirmed by a signed reference."""

    resource_classes = [BudgetLineResource]
    import_form_class = BudgetImportForm
    confirm_form_class = BudgetConfirmImportForm
    tmp_storage_class = BudgetUploadStorage
    import_template_name = "admin/budgets/budgetlineitem/import.html"

    def get_import_formats(self):
        return [BudgetCSV, BudgetXLSX]

    def get_import_form_kwargs(self, request, *args, **kwargs):
        return {**super().get_import_form_kwargs(request, *args, **kwargs), "user": request.user}

    def get_import_form_initial(self, request):
        return {**super().get_import_form_initial(request), "budget": request.GET.get("budget")}

    def get_confirm_form_initial(self, request, import_form):
        initial = super().get_confirm_form_initial(request, import_form)
        if import_form is not None:  # None when the confirm form is rebuilt from its own POST
            budget = import_form.cleaned_data["budget"]
            initial["budget"] = budget.pk
            initial["import_file_name"] = sign_upload(
                name=initial["import_file_name"], user=request.user, budget=budget
            )
        return initial

    def get_confirm_form_kwargs(self, request, import_form=None):
        return {**super().get_confirm_form_kwargs(request, import_form), "user": request.user}

    def write_to_tmp_storage(self, import_file, input_format):
        # import-export concatenates the chunks one by one (quadratic for a 20 MB file): join them once.
        storage = self.get_tmp_storage_class()(read_mode=input_format.get_read_mode())
        storage.save(b"".join(import_file.chunks()))
        return storage

    def add_data_read_fail_error_to_form(self, form, e):
        if isinstance(e, budget_file.FileError):  # the reader's own message names the problem
            form.add_error("import_file", str(e))
        else:
            super().add_data_read_fail_error_to_form(form, e)

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            return self._not_allowed(request)
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        if context:  # the page belongs to its budget: its title and the way back name it
            budget_id = request.POST.get("budget") or request.GET.get("budget") or ""
            context["budget"] = Budget.objects.filter(pk=budget_id).first() if budget_id.isdigit() else None
        form = context.get("form")
        if request.method == "POST" and "confirm_form" not in context and form is not None:
            # No confirmation will read the uploaded copy (bad rows, unreadable file): remove it now.
            name = getattr(getattr(form, "cleaned_data", {}).get("import_file"), "tmp_storage_name", None)
            if name:
                self.get_tmp_storage_class()(name=name).remove()
        return response

    def _not_allowed(self, request):
        """Back to where the user came from, saying who imports budget files (not a bare 403 page)."""
        messages.error(
            request,
            "Your role may look at budgets but not import budget files: a project manager imports them.",
        )
        budget_id = request.GET.get("budget") or request.POST.get("budget") or ""
        if budget_id.isdigit():
            return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget_id]))
        return HttpResponseRedirect(reverse("admin:budgets_budgetlineitem_changelist"))

    def process_import(self, request, **kwargs):
        """The confirm step, reading only the file its own upload wrote; anything else goes back to the upload."""
        if not self.has_import_permission(request):
            return self._not_allowed(request)
        try:
            response = super().process_import(request, **kwargs)
        except UploadGone as exc:
            return self._back_to_upload(request, str(exc))
        form = (getattr(response, "context_data", None) or {}).get("confirm_form")
        if form is None:
            return response
        problems = form.non_field_errors().as_data() or [
            forms.ValidationError(UPLOAD_FORGED, code="forged")  # a hidden field edited away
        ]
        if any(problem.code == "forged" for problem in problems):
            logger.warning("Refused a budget import confirmation by %s: %s", request.user, form.errors.as_json())
        return self._back_to_upload(request, " ".join(m for p in problems for m in p.messages))

    def _back_to_upload(self, request, message):
        messages.error(request, message)
        url = reverse("admin:budgets_budgetlineitem_import")
        budget_id = request.POST.get("budget", "")
        return HttpResponseRedirect(f"{url}?budget={budget_id}" if budget_id.isdigit() else url)

    def get_import_resource_kwargs(self, request, *args, **kwargs):
        # The GET of the upload page lists the resource's columns with an unbound form.
        cleaned = getattr(kwargs.get("form"), "cleaned_data", {})
        return {"budget": cleaned.get("budget"), "user": request.user}

    def has_import_permission(self, request):
        return request.user.has_perm("budgets.add_budgetlineitem")

    def generate_log_entries(self, result, request):
        """One line per budget row in the admin log would be 100,000 log entries: the audit is the file import."""

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            # Refused at confirm (the budget was locked, or rows changed meaning, since the preview): say so.
            problems = [str(error.error) for error in result.base_errors] or [
                "The file no longer imports as its preview did: upload it again to see what is wrong now."
            ]
            return self._back_to_upload(request, " ".join(problems))
        super().process_result(result, request)
        budget_id = request.POST.get("budget")
        return HttpResponseRedirect(reverse("admin:budgets_budget_change", args=[budget_id]))

    def add_success_message(self, result, request):
        totals = result.totals
        messages.success(
            request,
            f"Budget file imported: {totals['new']} new lines, {totals['update']} updated, {totals['skip']} unchanged.",
        )
