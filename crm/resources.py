"""Contacts as rows: the django-import-export resource of the admin's contact export.

Related records are written by code (company by contact no.; salesperson, territory,
salutation and groups by their code; several codes in one cell separated by ``|``), so
the file is the one the contact import reads back (``crm.services.import_contacts``,
which checks and writes the rows itself: this resource only exports).
"""

from import_export import fields, resources, widgets

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
from .services.import_rules import SEPARATOR


def code_field(name, model):
    return fields.Field(
        attribute=name, column_name=name, widget=widgets.ForeignKeyWidget(model, field="code")
    )


def codes_field(name, model):
    return fields.Field(
        attribute=name,
        column_name=name,
        widget=widgets.ManyToManyWidget(model, separator=SEPARATOR, field="code"),
    )


def flag_field(name):
    return fields.Field(attribute=name, column_name=name, widget=widgets.BooleanWidget())


class ContactResource(resources.ModelResource):
    """Contacts with their company, reference codes and group memberships."""

    company = fields.Field(
        attribute="company", column_name="company", widget=widgets.ForeignKeyWidget(Contact, "no")
    )
    company_name = fields.Field(attribute="company_name", column_name="company_name", readonly=True)
    salutation = code_field("salutation", Salutation)
    salesperson = code_field("salesperson", Salesperson)
    territory = code_field("territory", Territory)
    mailing_groups = codes_field("mailing_groups", MailingGroup)
    job_responsibilities = codes_field("job_responsibilities", JobResponsibility)
    industry_groups = codes_field("industry_groups", IndustryGroup)
    business_relations = codes_field("business_relations", BusinessRelation)
    email_opt_out = flag_field("email_opt_out")
    letter_opt_out = flag_field("letter_opt_out")
    phone_opt_out = flag_field("phone_opt_out")

    class Meta:
        model = Contact
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

    def get_export_queryset(self, request=None):
        return (
            super()
            .get_export_queryset(request)
            .select_related("company", "salutation", "salesperson", "territory")
            .prefetch_related(
                "mailing_groups", "job_responsibilities", "industry_groups", "business_relations"
            )
        )
