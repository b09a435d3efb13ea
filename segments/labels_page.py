"""The mailing labels page both label views share (issue 17): the segment's
(``views.labels``) and the contact list's (``site_views``), which may not import each
other."""

import tempfile

from django.http import FileResponse
from django.views.generic import TemplateView

from interactions import labels

from .forms import LabelsForm


class LabelsPage(TemplateView):
    """The small form (label sheet, sender line); submitted (a GET), the PDF itself."""

    template_name = "segments/labels.html"
    filename = "labels.pdf"

    def blocks(self):
        """The address blocks, one per label, in order."""
        raise NotImplementedError

    def label_count(self) -> int:
        raise NotImplementedError

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
