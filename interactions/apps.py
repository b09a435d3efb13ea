from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "interactions"
    verbose_name = _("Interactions")

    def ready(self):
        from crm.services import CONTACT_DATA_EXPORTERS, ERASURE_SCRUBBERS

        from .ledger import install_flush_bypass
        from .services.erasure import export_contact_entries, scrub_contact

        install_flush_bypass()
        if scrub_contact not in ERASURE_SCRUBBERS:
            ERASURE_SCRUBBERS.append(scrub_contact)
        if export_contact_entries not in CONTACT_DATA_EXPORTERS:
            CONTACT_DATA_EXPORTERS.append(export_contact_entries)
