"""Give both roles the permissions of SPEC 7 (log one contact's interactions, notes, drafts).

Roles created before these permissions existed keep everything else as it is.
"""

from django.db import migrations

NEW_PERMISSIONS = [
    ("interactions", "log_interaction"),
    ("interactions", "add_interactionnote"),
    ("interactions", "view_interactionnote"),
    ("interactions", "add_interactiondraft"),
    ("interactions", "change_interactiondraft"),
    ("interactions", "delete_interactiondraft"),
    ("interactions", "view_interactiondraft"),
]


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.using(using).get(content_type__app_label=app, codename=codename)
        for app, codename in NEW_PERMISSIONS
    ]
    for group in Group.objects.using(using).filter(
        name__in=["Marketing staff", "Marketing manager"]
    ):
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0003_action_manual"),
        ("interactions", "0003_single_interactions"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
