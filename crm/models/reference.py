"""Reference tables: number series, codes and descriptions, salespeople, our company."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

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
