"""Admin for contacts and their reference tables; contacts import and export as CSV/XLSX."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin

from .admin_inlines import LabelledTabularInline
from .choices import country_choices, country_name
from .forms import ContactImportForm
from .models import (
    BusinessRelation,
    CompanyInformation,
    ConsentEvent,
    Contact,
    ErasureRecord,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    NumberSeries,
    Salesperson,
    Salutation,
    SalutationFormula,
    Territory,
    UserPreferences,
    next_code,
)
from .resources import ContactResource
from .services.import_jobs import max_upload_bytes, start_import
from .spreadsheets import FORMATS


def _blank_or_country() -> list[tuple[str, str]]:
    return [("", "---------"), *country_choices()]


class CountryNamesMixin:
    """``country`` is chosen (a select with a search box) and listed by name, in the
    admin's language; the ISO code stays what is stored."""

    class Media:
        js = ["js/select-search.js"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "country":
            return forms.ChoiceField(
                label=capfirst(db_field.verbose_name),
                choices=_blank_or_country,
                required=not db_field.blank,
                widget=forms.Select(attrs={"data-search": _("Search countries")}),
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("country"), ordering="country")
    def country_display(self, obj) -> str:
        return country_name(obj.country)


class CodedAdmin(admin.ModelAdmin):
    list_display = ["code", "description"]
    search_fields = ["code", "description"]


for model in (Territory, MailingGroup, IndustryGroup, JobResponsibility, BusinessRelation):
    admin.site.register(model, CodedAdmin)


class SalutationFormulaInline(LabelledTabularInline):
    model = SalutationFormula
    extra = 1


@admin.register(Salutation)
class SalutationAdmin(CodedAdmin):
    inlines = [SalutationFormulaInline]


@admin.register(SalutationFormula)
class SalutationFormulaAdmin(admin.ModelAdmin):
    list_display = ["salutation", "language", "formal", "informal"]
    list_filter = ["language"]
    list_select_related = ["salutation"]
    search_fields = ["salutation__code", "formal", "informal"]
    autocomplete_fields = ["salutation"]


@admin.register(Salesperson)
class SalespersonAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "job_title", "email", "phone", "blocked", "user"]
    list_filter = ["blocked"]
    list_select_related = ["user"]
    search_fields = ["code", "name", "email"]
    raw_id_fields = ["user"]


@admin.register(CompanyInformation)
class CompanyInformationAdmin(CountryNamesMixin, admin.ModelAdmin):
    list_display = ["name", "city", "country_display", "phone", "email", "vat_no"]
    search_fields = ["name"]

    def has_add_permission(self, request):
        # One row only: the sender of every letter.
        return super().has_add_permission(request) and not CompanyInformation.objects.exists()


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ["code", "prefix", "width", "last_no"]
    search_fields = ["code", "prefix"]


class ContactAdminForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            field.name
            for field in [*Contact._meta.fields, *Contact._meta.many_to_many]
            if field.editable and not field.auto_created
        ]
        help_texts = {"no": _("Leave blank to take the next number of the contact series.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["no"].required = False


@admin.register(Contact)
class ContactAdmin(CountryNamesMixin, ImportExportModelAdmin):
    form = ContactAdminForm
    resource_classes = [ContactResource]
    # The formula-safe formats: an export never holds a live formula, and an import
    # reads back exactly what an export wrote.
    import_formats = FORMATS
    export_formats = FORMATS
    list_display = [
        "no",
        "name",
        "type",
        "company_name",
        "city",
        "country_display",
        "email",
        "language",
        "salesperson",
        "exclude_from_segment",
    ]
    list_display_links = ["no", "name"]
    list_filter = [
        "type",
        "country",
        "language",
        "correspondence_type",
        "exclude_from_segment",
        "privacy_blocked",
        "territory",
        "salesperson",
        "mailing_groups",
    ]
    list_select_related = ["salesperson"]
    search_fields = ["no", "name", "company_name", "email", "city", "post_code"]
    autocomplete_fields = ["company", "salutation", "salesperson", "territory"]
    filter_horizontal = [
        "mailing_groups",
        "job_responsibilities",
        "industry_groups",
        "business_relations",
    ]
    readonly_fields = ["company_name", "created_at", "updated_at"]
    # A million contacts: skip the second COUNT(*) the changelist would run.
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["no", "type", "name", "company", "company_name"]}),
        (
            _("Person"),
            {"fields": ["first_name", "middle_name", "surname", "initials", "job_title"]},
        ),
        (
            _("Communication"),
            {
                "fields": [
                    "address",
                    "address_2",
                    "post_code",
                    "city",
                    "county",
                    "country",
                    "phone",
                    "mobile_phone",
                    "email",
                    "home_page",
                ]
            },
        ),
        (
            _("Segmentation"),
            {
                "fields": [
                    "language",
                    "salutation",
                    "salesperson",
                    "territory",
                    "correspondence_type",
                    "exclude_from_segment",
                    "privacy_blocked",
                    "mailing_groups",
                    "job_responsibilities",
                    "industry_groups",
                    "business_relations",
                ]
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]

    def import_action(self, request, **kwargs):
        """The import: the upload is checked and stored, then a background job imports it
        and its page shows the progress and the report (every bad row)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ContactImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                job = start_import(form.cleaned_data["import_file"], user=request.user)
            except ValidationError as error:
                form.add_error("import_file", error)
            else:
                self.message_user(
                    request,
                    _("The import has started as job %(id)s.") % {"id": job.pk},
                    messages.SUCCESS,
                )
                return redirect(job)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import contacts"),
            "form": form,
            "max_size": max_upload_bytes(),
        }
        return TemplateResponse(request, "admin/crm/contact/import_job.html", context)

    def process_import(self, request, **kwargs):
        """django-import-export's confirmation step imported row by row inside the request;
        every import now goes through the job."""
        return redirect("admin:crm_contact_import")

    def save_model(self, request, obj, form, change):
        if not obj.no:
            obj.no = next_code("CONTACT", Contact)
        super().save_model(request, obj, form, change)

    actions = ["erase_contact"]

    @admin.action(description=_("Erase the selected contact"), permissions=["erase"])
    def erase_contact(self, request, queryset):
        """Opens the erase page of one contact, where the reason is given (SPEC 9)."""
        contacts = list(queryset.values_list("pk", flat=True)[:2])
        if len(contacts) != 1:
            self.message_user(request, _("Select exactly one contact to erase."), messages.WARNING)
            return None
        return redirect("crm:contact-erase", pk=contacts[0])

    def has_erase_permission(self, request) -> bool:
        return request.user.has_perm("crm.erase_contact")


@admin.register(ErasureRecord)
class ErasureRecordAdmin(admin.ModelAdmin):
    """Read-only: an erasure is recorded by ``crm.services.erase_contact`` alone."""

    list_display = ["contact_no", "created_at", "created_by", "reason"]
    list_filter = ["created_at"]
    search_fields = ["contact_no", "reason"]
    readonly_fields = ["contact_no", "reason", "counts", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(admin.ModelAdmin):
    """Read-only: consent events are append-only, written by ``services.set_consent``."""

    list_display = ["created_at", "contact", "channel", "granted", "source", "created_by"]
    list_filter = ["channel", "granted", "source"]
    list_select_related = ["contact", "created_by"]
    search_fields = ["contact__no", "contact__name", "note"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(UserPreferences)
class UserPreferencesAdmin(admin.ModelAdmin):
    """Read-only: each user sets their own on "My settings" and the worksheet's column
    chooser (``services.set_time_zone``, ``services.save_columns``)."""

    list_display = ["user", "time_zone"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    readonly_fields = ["user", "time_zone", "columns"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
