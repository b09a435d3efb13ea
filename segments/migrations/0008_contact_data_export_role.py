"""Give marketing managers the subject access export of SPEC 9 (``crm.export_contact_data``).

Erasure (``crm.erase_contact``) stays with administrators: no role gets it.
"""

from django.db import migrations


def grant(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    using = schema_editor.connection.alias
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permission = Permission.objects.using(using).get(
        content_type__app_label="crm", codename="export_contact_data"
    )
    for group in Group.objects.using(using).filter(name="Marketing manager"):
        group.permissions.add(permission)


class Migration(migrations.Migration):
    dependencies = [
        ("segments", "0007_consent_roles"),
        ("crm", "0007_erasure"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
