from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "segments"
    verbose_name = _("Segments")

    def ready(self):
        from crm.models import COMPANY_CHANGE_GUARDS
        from crm.services import ERASURE_SCRUBBERS
        from interactions.models import set_criteria_describer
        from jobs import services as jobs

        from . import jobs as segment_jobs
        from .criteria import describe_action
        from .models import refuse_company_change_on_a_segment
        from .roles import ensure_roles_after_migrate
        from .services.erasure import scrub_contact

        post_migrate.connect(ensure_roles_after_migrate, sender=self)
        for kind in segment_jobs.PERMISSIONS:
            jobs.register_restart(kind, segment_jobs.restart)
        set_criteria_describer(describe_action)
        if refuse_company_change_on_a_segment not in COMPANY_CHANGE_GUARDS:
            COMPANY_CHANGE_GUARDS.append(refuse_company_change_on_a_segment)
        if scrub_contact not in ERASURE_SCRUBBERS:
            ERASURE_SCRUBBERS.append(scrub_contact)
