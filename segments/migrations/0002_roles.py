"""Create the two roles of SPEC section 1 with their permissions."""

from django.db import migrations

VIEW_ALL = [
    ("crm", m)
    for m in [
        "contact",
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


def staff_permissions():
    perms = [(app, f"view_{model}") for app, model in VIEW_ALL]
    for model in SEGMENT_MODELS:
        perms += [("segments", f"{verb}_{model}") for verb in ("add", "change", "delete", "view")]
    return perms


def manager_permissions():
    perms = staff_permissions() + [
        ("segments", "log_segment"),
        ("interactions", "cancel_interaction"),
    ]
    for app, model in MANAGED_BY_MANAGER:
        perms += [(app, f"{verb}_{model}") for verb in ("add", "change", "delete")]
    return perms


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, wanted in [
        ("Marketing staff", staff_permissions()),
        ("Marketing manager", manager_permissions()),
    ]:
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codename in wanted:
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=["Marketing staff", "Marketing manager"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("crm", "0001_initial"),
        ("interactions", "0001_initial"),
        ("segments", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
