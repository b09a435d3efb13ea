"""Services are the only writers: views and admin modules parse input and call a service.

The modules are parsed (``ast``), never imported for this: every call that writes a model
(``.save()``, ``.delete()``, ``.update()``, ``.create()``, ``bulk_*``, ``get_or_create``...)
and every generic editing view that saves its form itself must be in ``ALLOWED`` below,
with the reason it needs no service. A new write in a view fails here; move it into a
service (``segments/services/lines.py`` shows the shape) or add it with a reason.
"""

import ast
from pathlib import Path

import pytest
from django.contrib import admin

ROOT = Path(__file__).resolve().parent.parent
APPS = ("api", "audit", "crm", "interactions", "jobs", "segments")

#: Method names that write rows when called on a model, a queryset, a form or a storage.
WRITE_METHODS = frozenset(
    {
        "save",
        "delete",
        "update",
        "create",
        "get_or_create",
        "update_or_create",
        "bulk_create",
        "bulk_update",
        "save_model",
        "delete_model",
        "delete_queryset",
    }
)
#: Receivers that are dictionaries, not models: ``context.update(...)`` writes nothing.
DICTIONARIES = frozenset({"context", "kwargs", "data", "initial", "extra_context"})
#: Generic views whose ``form_valid`` saves the form (or deletes the object) itself.
EDITING_VIEWS = frozenset(
    {"CreateView", "UpdateView", "DeleteView", "BaseCreateView", "BaseUpdateView"}
)

REFERENCE_DATA = (
    "reference data with no rule beyond its form and the database's PROTECT (codes, "
    "descriptions, defaults): plain create/edit as SPEC section 2 describes it"
)

#: The interactions pages of reference data (templates, language versions, groups).
TEMPLATE_VIEWS = "interactions/views/templates.py"

#: (module, where, what) -> why it may write without a service.
ALLOWED = {
    (
        "crm/admin.py",
        "ContactAdmin.save_model",
        "super().save_model",
    ): "the contact rules live in the model (clean and save refuse a company change while "
    "the contact is on a segment); the admin only fills the next number first",
    (
        "interactions/admin.py",
        "InteractionDraftAdmin.save_model",
        "super().save_model",
    ): "a draft is a private scratch row: no ledger, no lock; the admin sets created_by",
    (
        TEMPLATE_VIEWS,
        "_DeleteView.post",
        "record.delete",
    ): "deleting an interaction template or language version: reference data whose "
    "entries and segments hold it with PROTECT, so the database refuses one in use",
    (
        TEMPLATE_VIEWS,
        "_LanguageMixin.form_valid",
        "form.save",
    ): "a template's language version: the form checks the upload (checked_letter) and "
    "the version is reference data no segment lock covers",
    (
        TEMPLATE_VIEWS,
        "_TemplateSaving.form_valid",
        "form.save",
    ): "commit=False is not a write: the form builds the template, which "
    "services.save_interaction_template saves and records in the audit trail",
    (TEMPLATE_VIEWS, "GroupCreateView", "CreateView.form_valid"): REFERENCE_DATA,
    (TEMPLATE_VIEWS, "GroupUpdateView", "UpdateView.form_valid"): REFERENCE_DATA,
    (
        "segments/admin.py",
        "SegmentAdmin.save_formset",
        "formset.save",
    ): "commit=False is not a write: it only builds the language versions, which then "
    "go through services.save_segment_language / delete_segment_language",
}

#: Registered admins of the apps that save with Django's own ModelAdmin: no rule to skip.
ADMIN_ALLOWED = {
    "crm.Territory": REFERENCE_DATA,
    "crm.MailingGroup": REFERENCE_DATA,
    "crm.IndustryGroup": REFERENCE_DATA,
    "crm.JobResponsibility": REFERENCE_DATA,
    "crm.BusinessRelation": REFERENCE_DATA,
    "crm.Salutation": REFERENCE_DATA,
    "crm.SalutationFormula": REFERENCE_DATA,
    "crm.Salesperson": REFERENCE_DATA,
    "crm.CompanyInformation": "one settings row (name, address) for letters; no rule",
    "crm.NumberSeries": "the number series: next_code locks its row, editing a prefix is "
    "setup, not a rule a service enforces",
    "crm.Contact": ALLOWED[("crm/admin.py", "ContactAdmin.save_model", "super().save_model")],
    "interactions.InteractionGroup": REFERENCE_DATA,
    "interactions.InteractionTemplate": "created and changed through "
    "services.save_interaction_template (audited); deleting is reference data that the "
    "database's PROTECT refuses while in use",
    "interactions.InteractionTemplateLanguage": ALLOWED[
        (TEMPLATE_VIEWS, "_LanguageMixin.form_valid", "form.save")
    ],
    "interactions.InteractionDraft": ALLOWED[
        ("interactions/admin.py", "InteractionDraftAdmin.save_model", "super().save_model")
    ],
    "segments.SavedCriteria": "saved criteria are a named copy of steps, read when reused; "
    "editing one changes no segment",
    "segments.SavedCriteriaAction": "a step of saved criteria: see SavedCriteria",
}


def view_and_admin_modules() -> list[Path]:
    found = []
    for app in APPS:
        base = ROOT / app
        found += sorted(base.glob("*views*.py")) + sorted(base.glob("admin*.py"))
        for package in ("views", "admin"):
            found += sorted((base / package).rglob("*.py")) if (base / package).is_dir() else []
    return found


class _Writes(ast.NodeVisitor):
    def __init__(self, tree: ast.Module):
        self.scope: list[str] = []
        self.found: list[tuple[str, str]] = []
        # A class of the module that defines form_valid covers the views built on it.
        self.classes = {
            node.name: node for node in ast.walk(tree) if isinstance(node, ast.ClassDef)
        }

    def _defines_form_valid(self, node: ast.ClassDef) -> bool:
        if any(isinstance(n, ast.FunctionDef) and n.name == "form_valid" for n in node.body):
            return True
        return any(
            self._defines_form_valid(self.classes[name])
            for name in (ast.unparse(base) for base in node.bases)
            if name in self.classes and self.classes[name] is not node
        )

    def _scoped(self, node):
        self.scope.append(node.name)
        self.generic_visit(node)
        self.scope.pop()

    def visit_ClassDef(self, node):
        bases = {ast.unparse(base).rsplit(".", 1)[-1] for base in node.bases}
        for base in sorted(bases & EDITING_VIEWS):
            if not self._defines_form_valid(node):
                self.found.append((".".join([*self.scope, node.name]), f"{base}.form_valid"))
        self._scoped(node)

    visit_FunctionDef = visit_AsyncFunctionDef = _scoped

    def visit_Call(self, node):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in WRITE_METHODS:
            receiver = ast.unparse(func.value)
            if receiver not in DICTIONARIES:
                self.found.append((".".join(self.scope), f"{receiver}.{func.attr}"))
        self.generic_visit(node)


def writes_in(source: str, name: str) -> set[tuple[str, str, str]]:
    """The model writes of one module's source: (module, where, what)."""
    tree = ast.parse(source)
    visitor = _Writes(tree)
    visitor.visit(tree)
    return {(name, where, what) for where, what in visitor.found}


def writes_in_tree() -> set[tuple[str, str, str]]:
    found = set()
    for path in view_and_admin_modules():
        found |= writes_in(path.read_text(), path.relative_to(ROOT).as_posix())
    return found


def test_views_and_admin_write_only_through_services():
    modules = {p.relative_to(ROOT).as_posix() for p in view_and_admin_modules()}
    assert {"segments/views/lines.py", "segments/admin.py", "crm/views.py"} <= modules
    unexplained = writes_in_tree() - set(ALLOWED)
    assert not unexplained, (
        "A view or admin writes a model without a service; call a service, or add it to "
        f"ALLOWED with the reason: {sorted(unexplained)}"
    )


def test_every_allowed_write_still_exists():
    """An allow-list entry whose write has gone is removed, so the list stays true."""
    assert set(ALLOWED) - writes_in_tree() == set()


def test_a_save_added_in_a_view_is_found():
    source = """
from django.views import View

class HeaderView(View):
    def post(self, request, pk):
        segment = Segment.objects.get(pk=pk)
        segment.description = request.POST["description"]
        segment.save(update_fields=["description"])
        SegmentLine.objects.filter(segment=segment).update(cost=0)
        context = {}
        context.update(segment=segment)

class NewTemplateView(CreateView):
    model = InteractionTemplate
"""
    assert writes_in(source, "segments/views.py") == {
        ("segments/views.py", "HeaderView.post", "segment.save"),
        (
            "segments/views.py",
            "HeaderView.post",
            "SegmentLine.objects.filter(segment=segment).update",
        ),
        ("segments/views.py", "NewTemplateView", "CreateView.form_valid"),
    }
    assert not writes_in(source, "segments/views.py") <= set(ALLOWED)


@pytest.mark.django_db
def test_every_writable_admin_of_the_apps_goes_through_services_or_says_why(admin_user, rf):
    request = rf.get("/")
    request.user = admin_user
    unexplained = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        writable = (
            model_admin.has_add_permission(request)
            or model_admin.has_change_permission(request)
            or model_admin.has_delete_permission(request)
        )
        routed = all(
            name in type(model_admin).__dict__
            for name in ("save_model", "delete_model", "delete_queryset")
        )
        if writable and not routed and model._meta.label not in ADMIN_ALLOWED:
            unexplained.append(model._meta.label)
    assert unexplained == []
    assert {"segments.SegmentLine", "segments.CriteriaAction", "segments.RemovedLine"}.isdisjoint(
        ADMIN_ALLOWED
    )
