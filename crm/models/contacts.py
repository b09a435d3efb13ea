"""Contacts: companies and the persons who work for them."""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ..choices import ContactType, CorrespondenceType, blank_or, country_name
from ..fields import CodePointTextField, service_flag
from .reference import (
    CODE_LENGTH,
    BusinessRelation,
    IndustryGroup,
    JobResponsibility,
    MailingGroup,
    Salesperson,
    Salutation,
    Territory,
)
from .sorting import segment_sort_key, segment_sort_key_expression

#: What ``save`` writes besides the fields it is told to: the key and what it is made of.
SORT_KEY_SOURCES = ("company", "company_name", "segment_sort_key")


def protect_members(collector, field, sub_objs, using):
    """PROTECT a company from deletion while persons work for it.

    A company is its own company, and that reference alone must not block its deletion.
    """
    members = [contact for contact in sub_objs if contact.pk != contact.company_id]
    if members:
        models.PROTECT(collector, field, members, using)


class ContactQuerySet(models.QuerySet):
    def companies(self):
        return self.filter(type=ContactType.COMPANY)

    def persons(self):
        return self.filter(type=ContactType.PERSON)


#: Checks that may refuse a change of a person's company: each takes the contact (with its
#: new company) and raises ``ValidationError``. ``segments`` adds one in its
#: ``AppConfig.ready`` (not while the person is on a segment line): ``crm`` cannot import
#: the apps above it, so they register their rules here.
COMPANY_CHANGE_GUARDS: list[Callable[["Contact"], None]] = []


class Contact(models.Model):
    """A company or a person; a person may work for a company contact."""

    no = models.CharField(_("no."), max_length=CODE_LENGTH, unique=True)
    type = models.CharField(
        _("type"), max_length=10, choices=ContactType.choices, default=ContactType.PERSON
    )
    name = models.CharField(_("name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=30, blank=True)
    middle_name = models.CharField(_("middle name"), max_length=30, blank=True)
    surname = models.CharField(_("surname"), max_length=30, blank=True)
    initials = models.CharField(_("initials"), max_length=30, blank=True)
    job_title = models.CharField(_("job title"), max_length=50, blank=True)
    company = models.ForeignKey(
        "self",
        protect_members,
        null=True,
        blank=True,
        related_name="members",
        limit_choices_to={"type": ContactType.COMPANY},
        verbose_name=_("company"),
    )
    company_name = models.CharField(_("company name"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=100, blank=True)
    address_2 = models.CharField(_("address 2"), max_length=50, blank=True)
    post_code = models.CharField(_("post code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    county = models.CharField(_("county"), max_length=30, blank=True)
    country = models.CharField(
        _("country"), max_length=2, blank=True, help_text=_("ISO 3166 code, e.g. NO.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), max_length=80, blank=True)
    home_page = models.CharField(_("home page"), max_length=80, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    salutation = models.ForeignKey(
        Salutation, models.PROTECT, null=True, blank=True, verbose_name=_("salutation")
    )
    salesperson = models.ForeignKey(
        Salesperson, models.PROTECT, null=True, blank=True, verbose_name=_("salesperson")
    )
    territory = models.ForeignKey(
        Territory, models.PROTECT, null=True, blank=True, verbose_name=_("territory")
    )
    correspondence_type = models.CharField(
        _("correspondence type"), max_length=10, blank=True, choices=CorrespondenceType.choices
    )
    exclude_from_segment = models.BooleanField(_("exclude from segment"), default=False)
    privacy_blocked = models.BooleanField(_("privacy blocked"), default=False)
    # Kept in step with the contact's consent events by crm.services.set_consent (SPEC 9).
    email_opt_out = service_flag(_("email opt-out"))
    letter_opt_out = service_flag(_("letter opt-out"))
    phone_opt_out = service_flag(_("phone opt-out"))
    # Set by crm.services.erase_contact (SPEC 9): the personal data is gone for good.
    erased = service_flag(_("erased"))
    mailing_groups = models.ManyToManyField(
        MailingGroup, blank=True, related_name="contacts", verbose_name=_("mailing groups")
    )
    job_responsibilities = models.ManyToManyField(
        JobResponsibility,
        blank=True,
        related_name="contacts",
        verbose_name=_("job responsibilities"),
    )
    industry_groups = models.ManyToManyField(
        IndustryGroup, blank=True, related_name="contacts", verbose_name=_("industry groups")
    )
    business_relations = models.ManyToManyField(
        BusinessRelation,
        blank=True,
        related_name="contacts",
        verbose_name=_("business relations"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # The order segment lines are numbered in (crm.models.sorting), kept by save().
    segment_sort_key = CodePointTextField(
        _("segment sort key"), editable=False, default="", db_default=""
    )

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["company_name", "company__no", "type", "name", "pk"]
        indexes = [
            models.Index(fields=["company_name", "name"], name="crm_contact_sort_idx"),
            models.Index(fields=["segment_sort_key", "id"], name="crm_contact_segment_sort_idx"),
            models.Index(fields=["country", "city"], name="crm_contact_country_city_idx"),
            models.Index(fields=["post_code"], name="crm_contact_post_code_idx"),
            models.Index(fields=["name"], name="crm_contact_name_idx"),
            models.Index(fields=["language"], name="crm_contact_language_idx"),
        ]
        permissions = [
            ("erase_contact", _("Can erase a contact's personal data")),
            ("export_contact_data", _("Can export a contact's personal data")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(type__in=ContactType.values),
                name="crm_contact_type_valid",
                violation_error_message=_("Type must be company or person."),
            ),
            models.CheckConstraint(
                condition=blank_or("correspondence_type", CorrespondenceType),
                name="crm_contact_correspondence_type_valid",
                violation_error_message=_("Correspondence type must be blank, hard copy or email."),
            ),
            models.CheckConstraint(
                condition=Q(country="") | Q(Exact(Length("country"), 2)),
                name="crm_contact_country_iso2",
                violation_error_message=_("Country must be a two-letter ISO 3166 code."),
            ),
        ]

    def __str__(self):
        return f"{self.no} {self.name}"

    def save(self, **kwargs):
        """Keep ``company_name`` a copy of the company's name; a company is its own company.

        Also keeps the segment sort key, the contact's own and, for a company, its
        persons' (one ``UPDATE`` of those whose copy or key is out of date).
        """
        self._check_company_change()
        company_no = None
        if self.type == ContactType.COMPANY:
            self.company_name = self.name
            company_no = self.no
            if self.pk:
                self.company_id = self.pk
        elif self.company_id:
            self.company_name = self.company.name
            company_no = self.company.no
        else:
            self.company_name = ""
        self.segment_sort_key = segment_sort_key(
            self.company_name, company_no, self.type, self.name
        )
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *SORT_KEY_SOURCES}
        super().save(**kwargs)
        if self.type != ContactType.COMPANY:
            return
        if self.company_id != self.pk:
            self.company_id = self.pk
            type(self).objects.filter(pk=self.pk).update(company=self.pk)
        key = segment_sort_key_expression(Value(self.name), Value(self.no), F("type"), F("name"))
        members = type(self).objects.filter(company=self.pk).exclude(pk=self.pk)
        members.filter(~Q(company_name=self.name) | ~Q(segment_sort_key=key)).update(
            company_name=self.name, segment_sort_key=key
        )

    def get_absolute_url(self):
        return reverse("crm:contact-detail", args=[self.pk])

    def audit_repr(self) -> str:
        """The audit trail names a contact by its number: no name to outlive an erasure."""
        return self.no

    @property
    def country_name(self) -> str:
        """The country's name in the reader's language; ``country`` stays the ISO code."""
        return country_name(self.country)

    def clean(self):
        if self.type == ContactType.PERSON and self.pk and self.company_id == self.pk:
            raise ValidationError(
                {"company": _("A person cannot be their own company.")}, code="own_company"
            )
        self._check_company_change()

    def _check_company_change(self):
        """A person's company cannot change while an app above refuses it (a segment line)."""
        if not self.pk:
            return
        stored = type(self).objects.filter(pk=self.pk).values_list("type", "company").first()
        if stored is None or stored[0] != ContactType.PERSON:
            return
        # A person turned into a company becomes its own company.
        company = self.pk if self.type == ContactType.COMPANY else self.company_id
        if stored[1] != company:
            for guard in COMPANY_CHANGE_GUARDS:
                guard(self)

    @property
    def is_company(self) -> bool:
        return self.type == ContactType.COMPANY
