"""The roles of SPEC section 1: Django groups and the permissions each one holds.

The data migration creates them; ``ensure_roles`` also runs after every ``migrate`` and
``flush`` (post_migrate), so a database emptied by a test or a reset gets them back.
"""

from django.apps import apps as global_apps
from django.db.models import Q

STAFF = "Marketing staff"
MANAGER = "Marketing manager"

VIEW_ALL = [
    ("crm", m)
    for m in [
        "contact",
        "consentevent",
        "salesperson",
        "territory",
        "mailinggroup",
        "industrygroup",
        "jobresponsibility",
        "businessrelation",
        "salutation",
        "salutationformula",
        "companyinformation",
    ]
] + [
    ("interactions", m)
    for m in [
        "interactiongroup",
        "interactiontemplate",
        "interactiontemplatelanguage",
        "loggedsegment",
        "interactionlogentry",
        "interactionnote",
    ]
]
SEGMENT_MODELS = [
    "segment",
    "segmentlanguage",
    "segmentline",
    "criteriaaction",
    "removedline",
    "savedcriteria",
    "savedcriteriaaction",
]
MANAGED_BY_MANAGER = [
    ("interactions", "interactiongroup"),
    ("interactions", "interactiontemplate"),
    ("interactions", "interactiontemplatelanguage"),
    ("crm", "mailinggroup"),
]


#: Logging one contact's interactions (SPEC 7): both roles; canceling stays with managers.
SINGLE_INTERACTIONS = [
    ("interactions", "log_interaction"),
    ("interactions", "add_interactionnote"),
] + [("interactions", f"{verb}_interactiondraft") for verb in ("add", "change", "delete", "view")]


#: Changing a contact's consent on its card (SPEC 9): both roles.
CONSENT = [("crm", "add_consentevent")]
#: Campaigns (SPEC 8): both roles manage them; their entries follow logging and canceling.
CAMPAIGNS = [("interactions", f"{verb}_campaign") for verb in ("add", "change", "view")] + [
    ("interactions", "view_campaignentry")
]


def staff_permissions():
    perms = [(app, f"view_{model}") for app, model in VIEW_ALL] + CONSENT
    for model in SEGMENT_MODELS:
        perms += [("segments", f"{verb}_{model}") for verb in ("add", "change", "delete", "view")]
    return perms + SINGLE_INTERACTIONS + CAMPAIGNS


def manager_permissions():
    perms = staff_permissions() + [
        ("segments", "log_segment"),
        ("interactions", "cancel_interaction"),
        ("crm", "export_contact_data"),
    ]
    for app, model in MANAGED_BY_MANAGER:
        perms += [(app, f"{verb}_{model}") for verb in ("add", "change", "delete")]
    return perms


ROLES = {STAFF: staff_permissions, MANAGER: manager_permissions}


def ensure_roles(apps=global_apps, using: str = "default") -> None:
    """Create each missing role with its permissions; an existing role is left as it is."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in ROLES.items():
        group, created = Group.objects.using(using).get_or_create(name=name)
        if not created:
            continue
        # A permission a later migration adds is not there yet while an early migration
        # runs this; that migration grants it to the roles itself.
        condition = Q(pk__in=[])
        for app_label, codename in wanted():
            condition |= Q(content_type__app_label=app_label, codename=codename)
        group.permissions.set(Permission.objects.using(using).filter(condition))


def ensure_roles_after_migrate(sender, using="default", **kwargs):
    """post_migrate receiver; auth's own receiver has created the permissions by then."""
    ensure_roles(using=using)
