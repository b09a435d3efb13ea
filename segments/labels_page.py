"""The mailing labels page both label views share (issue 17): the segment's
(``views.labels``) and the contact list's (``site_views``), which may not import each
other."""

import tempfile
from abc import ABC, abstractmethod

from django.http import FileResponse
from django.views.generic import TemplateView

from interactions import labels

from .forms import LabelsForm


class LabelsPage(ABC, TemplateView):
    """The small form (label sheet, sender line); submitted (a GET), the PDF itself.

    A page says which rows get a label (``rows``), how a row reaches its contact
    (``contact``: a lookup prefix, "" for contacts themselves) and in what order.
    """

    template_name = "segments/labels.html"
    filename = "labels.pdf"
    contact = ""
    order: tuple[str, ...] = ()

    @abstractmethod
    def rows(self):
        """The rows to print a label for (a queryset)."""

    def blocks(self):
        """The address blocks, one per label, in order."""
        return labels.address_blocks(self.rows(), self.contact, order=self.order)

    def label_count(self) -> int:
        return self.rows().filter(labels.may_get_post(self.contact)).count()

    def get(self, request, *args, **kwargs):
        sender_line = labels.sender_line()
        if "label_format" not in request.GET:
            form = LabelsForm(sender_line=sender_line)
            return self.render_to_response(self.get_context_data(form=form))
        form = LabelsForm(request.GET, sender_line=sender_line)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the response
        labels.write_labels(
            self.blocks(),
            out,
            label_format=labels.LABEL_FORMATS[form.cleaned_data["label_format"]],
            sender=sender_line if form.cleaned_data["sender"] else "",
        )
        out.seek(0)
        return FileResponse(
            out, as_attachment=True, filename=self.filename, content_type="application/pdf"
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(label_count=self.label_count(), **kwargs)
