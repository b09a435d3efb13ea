"""Contacts and the reference tables that describe them."""

from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    ConsentChannel,
    ConsentSource,
    ContactType,
    CorrespondenceType,
    blank_or,
    country_name,
)
from .fields import service_flag

CODE_LENGTH = 20
SHORT_CODE_LENGTH = 10


class NumberSeries(models.Model):
    """A number series such as ``CT000001``: hands out each number once, also concurrently."""

    code = models.CharField(_("code"), max_length=SHORT_CODE_LENGTH, unique=True)
    prefix = models.CharField(_("prefix"), max_length=10)
    width = models.PositiveSmallIntegerField(_("digits"), default=6)
    last_no = models.PositiveBigIntegerField(_("last number used"), default=0)

    class Meta:
        verbose_name = _("number series")
        verbose_name_plural = _("number series")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} ({self.prefix}{'0' * self.width})"

    def code_for(self, number: int) -> str:
        """Number ``number`` of this series as a code: ``CT000042``."""
        return f"{self.prefix}{number:0{self.width}d}"


SERIES_DEFAULTS = {
    "CONTACT": ("CT", 6),
    "SEGMENT": ("SEG", 5),
    "CAMPAIGN": ("CP", 5),
}


def next_code(series: str, model: type[models.Model], field: str = "no") -> str:
    """Return the next free code of ``series`` for ``model.field``.

    The increment is one ``UPDATE ... SET last_no = last_no + 1``: on PostgreSQL the row
    lock serialises concurrent callers until their transactions end, on SQLite the
    write transaction does. Codes typed by hand are skipped, never handed out again.
    """
    with transaction.atomic():
        ensure_series(series)
        while True:
            NumberSeries.objects.filter(code=series).update(last_no=F("last_no") + 1)
            row = NumberSeries.objects.get(code=series)
            code = row.code_for(row.last_no)
            if not model._default_manager.filter(**{field: code}).exists():
                return code


def ensure_series(series: str) -> None:
    """Create the row of ``series`` with its default prefix and width if it is missing."""
    prefix, width = SERIES_DEFAULTS[series]
    NumberSeries.objects.get_or_create(code=series, defaults={"prefix": prefix, "width": width})


class CodedModel(models.Model):
    """A reference table row: a unique code and a description."""

    code = models.CharField(_("code"), max_length=SHORT_CODE_LENGTH, unique=True)
    description = models.CharField(_("description"), max_length=100, blank=True)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.description}".strip()


class Territory(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("territory")
        verbose_name_plural = _("territories")


class MailingGroup(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("mailing group")
        verbose_name_plural = _("mailing groups")


class IndustryGroup(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("industry group")
        verbose_name_plural = _("industry groups")


class JobResponsibility(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("job responsibility")
        verbose_name_plural = _("job responsibilities")


class BusinessRelation(CodedModel):
    class Meta(CodedModel.Meta):
        verbose_name = _("business relation")
        verbose_name_plural = _("business relations")


class Salutation(CodedModel):
    """How letters greet a contact; the formulas per language are SalutationFormula rows."""

    class Meta(CodedModel.Meta):
        verbose_name = _("salutation")
        verbose_name_plural = _("salutations")


class SalutationFormula(models.Model):
    """A formal and an informal greeting in one language.

    Placeholders: ``{first_name}``, ``{middle_name}``, ``{surname}``, ``{initials}``,
    ``{job_title}``, ``{company_name}``.
    """

    salutation = models.ForeignKey(
        Salutation, models.CASCADE, related_name="formulas", verbose_name=_("salutation")
    )
    language = models.CharField(_("language"), max_length=10)
    formal = models.CharField(_("formal salutation"), max_length=100, blank=True)
    informal = models.CharField(_("informal salutation"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("salutation formula")
        verbose_name_plural = _("salutation formulas")
        ordering = ["salutation", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["salutation", "language"],
                name="crm_salutationformula_unique_language",
                violation_error_message=_(
                    "This salutation already has a formula in this language."
                ),
            )
        ]

    def __str__(self):
        return f"{self.salutation.code} ({self.language})"


class Salesperson(models.Model):
    code = models.CharField(_("code"), max_length=CODE_LENGTH, unique=True)
    name = models.CharField(_("name"), max_length=100)
    job_title = models.CharField(_("job title"), max_length=50, blank=True)
    email = models.EmailField(_("email"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    blocked = models.BooleanField(_("blocked"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="salesperson",
        verbose_name=_("user"),
        help_text=_("New segments this user creates get this salesperson."),
    )

    class Meta:
        verbose_name = _("salesperson")
        verbose_name_plural = _("salespeople")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class CompanyInformation(models.Model):
    """Our own company, the sender of every letter. There is one row (pk 1)."""

    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(_("address"), max_length=100, blank=True)
    address_2 = models.CharField(_("address 2"), max_length=50, blank=True)
    post_code = models.CharField(_("post code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=30, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), max_length=80, blank=True)
    home_page = models.CharField(_("home page"), max_length=80, blank=True)
    vat_no = models.CharField(_("VAT number"), max_length=20, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("company information")
        verbose_name_plural = _("company information")
        constraints = [
            models.CheckConstraint(
                condition=Q(pk=1),
                name="crm_companyinformation_single_row",
                violation_error_message=_("There is only one company information record."),
            )
        ]

    def __str__(self):
        return self.name

    def save(self, **kwargs):
        self.pk = 1
        super().save(**kwargs)

    @classmethod
    def load(cls) -> "CompanyInformation":
        """The company information, or an empty one when none has been entered."""
        return cls.objects.filter(pk=1).first() or cls(pk=1, name="")


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

    objects = ContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["company_name", "company__no", "type", "name", "pk"]
        indexes = [
            models.Index(fields=["company_name", "name"], name="crm_contact_sort_idx"),
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
        """Keep ``company_name`` a copy of the company's name; a company is its own company."""
        self._check_company_change()
        if self.type == ContactType.COMPANY:
            self.company_name = self.name
            if self.pk:
                self.company_id = self.pk
        elif self.company_id:
            self.company_name = self.company.name
        else:
            self.company_name = ""
        super().save(**kwargs)
        if self.type == ContactType.COMPANY and self.company_id != self.pk:
            self.company_id = self.pk
            type(self).objects.filter(pk=self.pk).update(company=self.pk)
            type(self).objects.filter(company=self.pk).exclude(pk=self.pk).update(
                company_name=self.name
            )
        elif self.type == ContactType.COMPANY:
            type(self).objects.filter(company=self.pk).exclude(pk=self.pk).exclude(
                company_name=self.name
            ).update(company_name=self.name)

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


class ConsentEventQuerySet(models.QuerySet):
    """Append-only: consent events are inserted, never updated or deleted (SPEC 9)."""

    def _refuse(self, *args, **kwargs):
        raise ValidationError(_("Consent events are append-only."), code="append_only")

    update = bulk_update = delete = _refuse

    def bulk_create(self, objs, *args, update_conflicts=False, **kwargs):
        if update_conflicts:  # an upsert rewrites existing rows
            self._refuse()
        return super().bulk_create(objs, *args, **kwargs)


class ConsentEvent(models.Model):
    """One change of a contact's consent to a channel: the history behind its opt-out flags.

    Written only by ``crm.services.set_consent``, which keeps ``Contact.email_opt_out``,
    ``letter_opt_out`` and ``phone_opt_out`` in step. Append-only here and, below the ORM,
    by the triggers of migration ``crm.0006_consent_event``. A contact with consent
    history cannot be deleted (PROTECT): the history is the evidence of a "no".
    """

    contact = models.ForeignKey(
        Contact, models.PROTECT, related_name="consent_events", verbose_name=_("contact")
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ConsentChannel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["contact", "channel"], name="crm_consent_contact_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=ConsentChannel.values), name="crm_consent_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(source__in=ConsentSource.values), name="crm_consent_source_valid"
            ),
        ]

    def __str__(self):
        return f"{self.contact_id} {self.channel} {'+' if self.granted else '-'}"

    def save(self, **kwargs):
        if not self._state.adding or kwargs.get("force_update") or kwargs.get("update_fields"):
            raise ValidationError(_("Consent events are append-only."), code="append_only")
        kwargs.setdefault("force_insert", True)
        super().save(**kwargs)

    def delete(self, **kwargs):
        raise ValidationError(_("Consent events are append-only."), code="append_only")


# Kept in its own module for size; imported here so the app registry finds it.
from .erasure_models import ErasureRecord  # noqa: E402, F401
from .preferences_models import UserPreferences  # noqa: E402, F401
