"""Contacts as rows: the django-import-export resource the admin and ``import_contacts`` share.

Related records are written by code (company by contact no.; salesperson, territory,
salutation and groups by their code), so a file round-trips between databases.
A file imports whole or not at all: one invalid row rolls back every row.
The consent columns (``email_opt_out``, ``letter_opt_out``, ``phone_opt_out``) are never
written to the contact directly: a row that changes one records a consent event with
source ``import`` through ``services.set_consent``, in the import's transaction.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from . import services
from .choices import ConsentChannel, ConsentSource, ContactType, country_code
from .models import (
    BusinessRelation,
    Contact,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    Territory,
)

# Several codes in one cell: "NEWS|EVENTS". A pipe, because codes and CSV both use commas.
SEPARATOR = "|"
# Control characters no contact field may hold (tab and line breaks are text).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key written as its code; an unknown code is a row error naming it."""

    def __init__(self, model, field="code", queryset=None, **kwargs):
        self.queryset = queryset
        super().__init__(model, field=field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return self.queryset if self.queryset is not None else self.model._default_manager.all()

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(
                _("There is no %(model)s with %(field)s “%(value)s”.")
                % {
                    "model": self.model._meta.verbose_name,
                    "field": self.model._meta.get_field(self.field).verbose_name,
                    "value": value,
                }
            ) from None


class CompanyWidget(CodeWidget):
    """A person's company, written as the company contact's no."""

    def __init__(self, **kwargs):
        super().__init__(Contact, field="no", **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return Contact.objects.companies()

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row=row, **kwargs)
        except ValueError:
            raise ValueError(
                _("There is no company contact with no. “%(value)s”.") % {"value": value}
            ) from None


class CodesWidget(widgets.ManyToManyWidget):
    """Several codes separated by ``|``; every code must exist."""

    def __init__(self, model, **kwargs):
        super().__init__(model, separator=SEPARATOR, field="code", **kwargs)

    def clean(self, value, row=None, **kwargs):
        if not value:
            return self.model.objects.none()
        codes = {code.strip() for code in str(value).split(self.separator) if code.strip()}
        found = self.model.objects.filter(code__in=codes)
        missing = codes - set(found.values_list("code", flat=True))
        if missing:
            raise ValueError(
                _("There is no %(model)s with code %(codes)s.")
                % {
                    "model": self.model._meta.verbose_name,
                    "codes": ", ".join(f"“{code}”" for code in sorted(missing)),
                }
            )
        return found


class ConsentField(fields.Field):
    """An opt-out flag: exported as it is; imported as a wish that ``after_save_instance``
    hands to ``set_consent`` when it differs from the contact's flag. A blank cell keeps
    the flag."""

    def __init__(self, name):
        super().__init__(attribute=name, column_name=name, widget=widgets.BooleanWidget())

    def save(self, instance, row, is_m2m=False, **kwargs):
        if self.column_name not in row:
            return
        value = self.clean(row, **kwargs)
        if value is not None:
            instance._consent_wanted = {**getattr(instance, "_consent_wanted", {}), self: value}


def code_field(name, model):
    return fields.Field(attribute=name, column_name=name, widget=CodeWidget(model))


def codes_field(name, model):
    return fields.Field(attribute=name, column_name=name, widget=CodesWidget(model))


class ContactResource(resources.ModelResource):
    """Contacts with their company, reference codes and group memberships."""

    company = fields.Field(attribute="company", column_name="company", widget=CompanyWidget())
    company_name = fields.Field(attribute="company_name", column_name="company_name", readonly=True)
    salutation = code_field("salutation", Salutation)
    salesperson = code_field("salesperson", Salesperson)
    territory = code_field("territory", Territory)
    mailing_groups = codes_field("mailing_groups", MailingGroup)
    job_responsibilities = codes_field("job_responsibilities", JobResponsibility)
    industry_groups = codes_field("industry_groups", IndustryGroup)
    business_relations = codes_field("business_relations", BusinessRelation)
    email_opt_out = ConsentField("email_opt_out")
    letter_opt_out = ConsentField("letter_opt_out")
    phone_opt_out = ConsentField("phone_opt_out")

    class Meta:
        model = Contact
        import_id_fields = ["no"]
        fields = [
            "no",
            "type",
            "name",
            "first_name",
            "middle_name",
            "surname",
            "initials",
            "job_title",
            "company",
            "company_name",
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
            "language",
            "salutation",
            "salesperson",
            "territory",
            "correspondence_type",
            "exclude_from_segment",
            "privacy_blocked",
            "email_opt_out",
            "letter_opt_out",
            "phone_opt_out",
            "mailing_groups",
            "job_responsibilities",
            "industry_groups",
            "business_relations",
        ]
        export_order = fields
        # full_clean() on every row: bad choices, country codes and constraints become
        # row errors in the preview instead of database errors.
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = False

    def get_export_queryset(self, request=None):
        return (
            super()
            .get_export_queryset(request)
            .select_related("company", "salutation", "salesperson", "territory")
            .prefetch_related(
                "mailing_groups", "job_responsibilities", "industry_groups", "business_relations"
            )
        )

    def before_import(self, dataset, **kwargs):
        """Find every row whose contact no. an earlier row of the file already has."""
        super().before_import(dataset, **kwargs)
        first_row: dict[str, int] = {}
        self.repeated: dict[int, tuple[int, str]] = {}
        if "no" not in (dataset.headers or []):
            return
        for number, no in enumerate(dataset["no"], 1):
            no = str(no if no is not None else "").strip()
            if not no:
                continue
            if no in first_row:
                self.repeated[number] = (first_row[no], no)
            else:
                first_row[no] = number

    def check_row(self, row, row_number) -> None:
        """A row's own problems before anything reads it: control characters in a cell,
        a contact no. an earlier row has (a file holds each contact once)."""
        errors = {}
        for column, value in row.items():
            if isinstance(value, str) and (found := CONTROL.search(value)):
                errors[str(column)] = ValidationError(
                    _("contains a control character (U+%(code)04X); remove it."),
                    code="control_character",
                    params={"code": ord(found.group())},
                )
        repeated = getattr(self, "repeated", {}).get(row_number)
        if repeated is not None:
            first, no = repeated
            errors["no"] = ValidationError(
                _(
                    "Rows %(first)s and %(row)s have the same no. “%(no)s”; a file may "
                    "hold each contact once."
                ),
                code="duplicate_no",
                params={"first": first, "row": row_number, "no": no},
            )
        if errors:
            raise ValidationError(errors)

    def before_import_row(self, row, **kwargs):
        self.check_row(row, kwargs.get("row_number"))
        # A company is its own company (Contact.save sets it), and the file may name it
        # before the row exists, so the column is ignored on company rows.
        if str(row.get("type") or "").strip() == ContactType.COMPANY and "company" in row:
            row["company"] = ""
        for key in ("no", "type", "country", "language", "correspondence_type"):
            if isinstance(row.get(key), str):
                row[key] = row[key].strip()
        if isinstance(row.get("country"), str) and row["country"]:
            # A country's name (English or the active language) becomes its ISO code;
            # anything else stays as typed, for import_instance to report.
            row["country"] = country_code(row["country"]) or row["country"].upper()

    def import_instance(self, instance, row, **kwargs):
        """Also check the group codes now, so an unknown one is a row error, not a crash."""
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        country = row.get("country")
        if country and "country" not in errors and country_code(str(country)) is None:
            errors["country"] = ValidationError(
                _("%(value)s is not a country; give its two-letter ISO code, e.g. NO.")
                % {"value": country},
                code="invalid_country",
            )
        for field in self.get_import_fields():
            if isinstance(field.widget, CodesWidget) and field.column_name in row:
                try:
                    field.widget.clean(row[field.column_name], row=row)
                except ValueError as error:
                    errors[field.attribute] = ValidationError(str(error), code="invalid")
        if errors:
            raise ValidationError(errors)

    @staticmethod
    def _consent_changes(instance, original) -> dict[ConsentChannel, bool]:
        """Channel -> opted out, for each consent column whose value differs from the flag."""
        wanted = getattr(instance, "_consent_wanted", {})
        return {
            ConsentChannel(field.attribute.removesuffix("_opt_out")): value
            for field, value in wanted.items()
            if getattr(original, field.attribute) != value
        }

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # The consent columns do not change the instance, so a row that changes only them
        # would look unchanged.
        if not import_validation_errors and self._consent_changes(instance, original):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        stored = Contact.objects.filter(pk=instance.pk).only(
            "email_opt_out", "letter_opt_out", "phone_opt_out"
        )
        for channel, opted_out in self._consent_changes(instance, stored.get()).items():
            services.set_consent(
                instance,
                channel=channel,
                granted=not opted_out,
                source=ConsentSource.IMPORT,
                user=kwargs.get("user"),
                note=_("Contact import"),
            )

    def import_data(self, dataset, **kwargs):
        """Import every row or none: an invalid row rolls back the whole file."""
        kwargs.setdefault("rollback_on_validation_errors", True)
        kwargs.setdefault("use_transactions", True)
        return super().import_data(dataset, **kwargs)


def row_errors(result) -> list[str]:
    """The problems of an import result, one readable line per row and field."""
    lines = []
    for error in result.base_errors:
        lines.append(str(error.error))
    for number, errors in result.row_errors():
        for error in errors:
            lines.append(_("Row %(row)s: %(error)s") % {"row": number, "error": error.error})
    for invalid in result.invalid_rows:
        for field, messages in invalid.field_specific_errors.items():
            for message in messages:
                lines.append(
                    _("Row %(row)s, %(field)s: %(message)s")
                    % {"row": invalid.number, "field": field, "message": message}
                )
        for message in invalid.non_field_specific_errors:
            lines.append(
                _("Row %(row)s: %(message)s") % {"row": invalid.number, "message": message}
            )
    return lines
