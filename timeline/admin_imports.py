"""Import and export in the admin: django-import-export's preview-then-confirm pages, made safe for a newsroom.

What this adds to the library's flow (each step is timeline.importing's, shared with the import_file command):
- files are read by timeline.import_files: a file that cannot be read gets one sentence, never a traceback;
- the upload waits in the database between preview and confirmation, and is deleted when the preview fails;
- the confirmation is refused, writing nothing, when the data changed since the preview or when it was already
  confirmed, and its message is written after the commit, saying what was written;
- a file too large for a request is refused with the command that imports it;
- each import page offers a CSV and an XLSX template (the header and one example row).
"""

import copy
import os
import uuid

import tablib
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from import_export.admin import ImportExportModelAdmin
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.signals import post_import

from timeline import importing
from timeline.import_files import ImportRefused
from timeline.import_formats import FORMATS, CSVFile, XLSXFile
from timeline.models import ImportUpload

ADDRESS_CHOICES = [
    ("update", gettext_lazy("Update that source with this row")),
    ("keep", gettext_lazy("Keep that source as it is")),
]


def too_large(model_name: str, username: str, file_name: str) -> str:
    return _(
        "This file is larger than the admin can import while you wait (%(rows)s rows or %(megabytes)s MB at most). "
        "Import it with the command, which shows its progress and also writes all or nothing: "
        "python manage.py import_file %(model)s “%(file)s” --user %(user)s"
    ) % {
        "rows": f"{importing.ADMIN_MAX_ROWS:,}",
        "megabytes": importing.ADMIN_MAX_BYTES // (1024 * 1024),
        "model": model_name,
        "file": os.path.basename(file_name),
        "user": username,
    }


def written(result):
    """The result with only the rows actually written, for the admin's log: a change waiting for review is not."""
    kept = copy.copy(result)
    kept.rows = [row for row in result.rows if not getattr(row, "proposed", False)]
    return kept


class SizedImportForm(ImportForm):
    """Refuses a file too large for a request before it is read."""

    def __init__(self, *args, model_name: str = "", username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.model_name, self.username = model_name, username

    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > importing.ADMIN_MAX_BYTES:
            raise forms.ValidationError(too_large(self.model_name, self.username, upload.name))
        return upload


class ChoicesConfirmForm(ConfirmImportForm):
    """The library's confirmation, with the choices the preview asked for: for each row whose source address is
    already known, update that source or keep it as it is. No default: the editor decides."""

    def __init__(self, *args, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        for number, slug in (choices or {}).items():
            self.fields[f"address_{number}"] = forms.ChoiceField(
                label=_("Row %(row)s names the source “%(source)s” by its address") % {"row": number, "source": slug},
                choices=ADDRESS_CHOICES,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose what to do with this source.")},
            )

    def url_choices(self) -> dict[str, str]:
        return {
            name.removeprefix("address_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("address_")
        }


class ImportExportAdmin(ImportExportModelAdmin):
    """Import and export in CSV, JSON and XLSX; an import always shows its dry run before anything is written."""

    formats = FORMATS
    tmp_storage_class = importing.DatabaseUpload
    import_template_name = "admin/timeline/import.html"
    import_form_class = SizedImportForm
    confirm_form_class = ChoicesConfirmForm

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        info = self.get_model_info()
        return [
            path(
                "import/template.<str:kind>",
                self.admin_site.admin_view(self.import_template),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    # The preview

    def get_import_form_kwargs(self, request):
        kwargs = super().get_import_form_kwargs(request)
        return {**kwargs, "model_name": self.model._meta.model_name, "username": request.user.get_username()}

    def add_data_read_fail_error_to_form(self, form, error):
        if isinstance(error, ImportRefused):
            message = _("%(problem)s Nothing was imported.") % {"problem": error}
        else:
            message = _(
                "This file could not be read as the chosen format (%(error)s): check that the format matches the "
                "file. Nothing was imported."
            ) % {"error": error}
        form.add_error("import_file", message)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        return {**kwargs, "max_rows": importing.ADMIN_MAX_ROWS}

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        result, confirm_form = context.get("result"), context.get("confirm_form")
        # The library marks the uploaded file with the name it stored it under, even when reading it failed.
        upload = getattr(request.FILES.get("import_file"), "tmp_storage_name", None)
        if result is not None and getattr(result, "too_large", False):
            context["form"].add_error(
                "import_file", too_large(self.model._meta.model_name, request.user.get_username(), result.file_name)
            )
            context["result"] = None
        if confirm_form is not None and context.get("result") is not None:
            ImportUpload.objects.filter(pk=upload).update(
                user=request.user, fingerprint=result.fingerprint, choices=self.choice_labels(result.choices)
            )
            context["confirm_form"] = self.confirm_form_class(
                initial=confirm_form.initial, choices=self.choice_labels(result.choices)
            )
        else:
            context.pop("confirm_form", None)
            if upload:
                importing.DatabaseUpload(name=upload).remove()  # nothing to confirm: nothing kept
        if context.get("result") is not None:
            context["problems"] = importing.problems_of(result)
            context["totals"] = importing.describe(result)
        return response

    @staticmethod
    def choice_labels(choices: dict[str, int]) -> dict[str, str]:
        from timeline.models import Source

        slugs = dict(Source.objects.filter(pk__in=choices.values()).values_list("pk", "slug"))
        return {number: slugs.get(pk, "?") for number, pk in choices.items()}

    # The confirmation

    def get_confirm_form_kwargs(self, request, import_form=None):
        kwargs = super().get_confirm_form_kwargs(request, import_form)
        if import_form is None and request.POST.get("import_file_name"):
            upload = ImportUpload.objects.filter(pk=request.POST["import_file_name"]).values("choices").first()
            kwargs["choices"] = upload["choices"] if upload else {}
        return kwargs

    def confirmable(self, request) -> bool:
        """Whether the confirmation's hidden fields are as a preview wrote them; an old page, or one altered by
        hand, is told what a stale confirmation is told rather than failing on a lookup."""
        try:
            uuid.UUID(request.POST.get("import_file_name", ""))
            file_format, resource = int(request.POST.get("format", "")), int(request.POST.get("resource") or 0)
        except ValueError:
            return False
        formats, resources = len(self.get_import_formats()), len(self.get_import_resource_classes(request))
        return 0 <= file_format < formats and 0 <= resource < resources

    def refuse(self, request, refusal: str, problems=()):
        """Back to the import page, saying why nothing was imported."""
        messages.error(request, refusal)
        for problem in problems[:10]:
            messages.error(request, problem)
        return HttpResponseRedirect(reverse("admin:{}_{}_import".format(*self.get_model_info())))

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if not self.confirmable(request):
            return self.refuse(request, importing.GONE())
        confirm_form = self.create_confirm_form(request)
        if not confirm_form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": _("Import"),
                "confirm_form": confirm_form,
                "opts": self.model._meta,
                "errors": confirm_form.errors,
            }
            return TemplateResponse(request, [self.import_template_name], context)
        file_format = self.get_import_formats()[int(confirm_form.cleaned_data["format"])]()

        def run(data):
            dataset = file_format.create_dataset(data)
            kwargs["url_choices"] = confirm_form.url_choices()
            return self.process_dataset(dataset, confirm_form, request, **kwargs)

        try:
            outcome = importing.confirm(
                confirm_form.cleaned_data["import_file_name"],
                request.user,
                run,
                after_write=lambda result: self.generate_log_entries(written(result), request),
            )
        except ImportRefused as refusal:
            outcome = importing.Confirmation(refusal=str(refusal))
        if outcome.refusal:
            return self.refuse(request, outcome.refusal, outcome.problems)
        self.add_success_message(outcome.result, request)
        post_import.send(sender=None, model=self.model)
        return HttpResponseRedirect(reverse("admin:{}_{}_changelist".format(*self.get_model_info())))

    def add_success_message(self, result, request):
        messages.success(
            request,
            _("Imported %(things)s: %(totals)s. Everything was saved.")
            % {"totals": importing.describe(result), "things": self.model._meta.verbose_name_plural},
        )

    # Templates for editors to fill in

    @method_decorator(require_GET)
    def import_template(self, request, kind: str):
        if not self.has_import_permission(request):
            raise PermissionDenied
        file_format = {"csv": CSVFile, "xlsx": XLSXFile}.get(kind)
        if file_format is None:
            return HttpResponse(status=404)
        resource = self.get_import_resource_classes(request)[0]()
        columns = [field.column_name for field in resource.get_import_fields()]
        example = getattr(resource, "example", {})
        dataset = tablib.Dataset([example.get(column, "") for column in columns], headers=columns)
        dataset.title = str(self.model._meta.verbose_name_plural).capitalize()
        response = HttpResponse(file_format().export_data(dataset), content_type=file_format().get_content_type())
        name = f"{self.model._meta.model_name}-import-template.{kind}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
