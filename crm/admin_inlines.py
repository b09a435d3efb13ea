"""A tabular inline whose inputs carry their column's name.

Django's tabular inline labels its fields only by the column headers, so a screen reader
announces an unnamed text box (axe-core: "Form elements must have labels";
tests/browser/test_accessibility.py). Every app's admin uses this one instead.
"""

from django.contrib import admin


class LabelledTabularInline(admin.TabularInline):
    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            formfield.widget.attrs.setdefault(
                "aria-label", str(formfield.label or db_field.verbose_name)
            )
        return formfield
