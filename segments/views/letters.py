"""Letters: a line's letter (note, own document, preview), every line's letters, export."""

import io

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from interactions import letters
from interactions.exceptions import LetterError

from .. import jobs as segment_jobs
from .. import outputs, selectors, services
from ..exceptions import SegmentError
from ..forms import LineDocumentForm, PersonalNoteForm
from .base import DialogMixin, LineMixin, SegmentMixin, go, job_started, spool, stale


class LineLetterView(LineMixin, DialogMixin, TemplateView):
    """A line's letter: preview, personal note, personalised document."""

    permission_required = "segments.view_segment"
    template_name = "segments/line_letter.html"

    def get_context_data(self, note_form=None, document_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            line=self.line,
            note_form=note_form or PersonalNoteForm(instance=self.line),
            document_form=document_form or LineDocumentForm(),
        )
        return context


class LineNoteView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        form = PersonalNoteForm(request.POST, instance=self.line)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(note_form=form))
        try:
            services.set_line_values(
                self.line, user=request.user, personal_note=form.cleaned_data["personal_note"]
            )
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("The personal note of line %(line_no)s has been saved.")
            % {"line_no": self.line.line_no},
        )
        return go(request, f"{self.segment_url}?line={self.line.line_no}#line-{self.line.line_no}")


class LineDocumentView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        form = LineDocumentForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(document_form=form))
        upload = form.cleaned_data["document"]
        try:
            services.set_line_document(self.line, upload=upload, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("Line %(line_no)s now has its own letter %(name)s.")
            % {"line_no": self.line.line_no, "name": upload.name},
        )
        return go(request, reverse("segments:line-letter", args=[pk, line]))


class LineDocumentRemoveView(LineLetterView):
    permission_required = "segments.change_segment"
    http_method_names = ["post"]

    def post(self, request, pk, line):
        old = self.line.document.name
        if not old:
            messages.info(
                request,
                _("Line %(line_no)s has no personalised document.")
                % {"line_no": self.line.line_no},
            )
            return go(request, reverse("segments:line-letter", args=[pk, line]))
        try:
            services.remove_line_document(self.line, user=request.user)
        except SegmentError as error:
            return self.refused(error)
        messages.success(
            request,
            _("The personalised document of line %(line_no)s has been removed.")
            % {"line_no": self.line.line_no},
        )
        return go(request, reverse("segments:line-letter", args=[pk, line]))


class LinePreviewView(LineMixin, View):
    """Download one line's letter as the contact will get it."""

    permission_required = "segments.view_segment"

    def get(self, request, pk, line):
        try:
            document = outputs.preview(self.line)
        except (SegmentError, LetterError) as error:
            # A stored document that cannot be merged (uploaded before the checks, or
            # damaged in storage) is a message on the line's letter page, never a 500.
            return stale(request, error, reverse("segments:line-letter", args=[pk, line]))
        name = letters.safe_filename(f"{self.line.line_no} {self.line.contact.name}") + ".docx"
        return FileResponse(io.BytesIO(document), as_attachment=True, filename=name)


class ExportView(SegmentMixin, View):
    """The segment's contacts as CSV, streamed from a temporary file."""

    permission_required = "segments.view_segment"

    def get(self, request, pk):
        out = spool()
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        services.export_contacts(self.segment, text)
        text.flush()
        text.detach()
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{self.segment.no}.csv",
            content_type="text/csv; charset=utf-8",
        )


class LettersView(SegmentMixin, TemplateView):
    """The template report per language, and the downloads of every line's letter."""

    permission_required = "segments.view_segment"
    template_name = "segments/letters.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reports = []
        for document in selectors.letter_documents(self.segment):
            try:
                with default_storage.open(document["document"], "rb") as stored:
                    content = stored.read()
            except OSError:
                reports.append({**document, "missing": True})
                continue
            try:
                report = outputs.template_report(self.segment, content)
            except LetterError as error:
                reports.append({**document, "error": " ".join(error.messages)})
                continue
            reports.append({**document, "report": report})
        context.update(segment=self.segment, reports=reports, pdf_available=letters.pdf_available())
        return context


DOWNLOADS = {
    "zip": (outputs.write_zip, "zip", "application/zip"),
    "docx": (
        outputs.write_combined,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "pdf": (outputs.write_pdf, "pdf", "application/pdf"),
}


class LettersDownloadView(SegmentMixin, View):
    """Every line's letter as a zip, one combined .docx or a PDF, streamed from a temp file."""

    permission_required = "segments.view_segment"

    def get(self, request, pk, kind):
        return self.download(kind, start_job=False)

    def post(self, request, pk, kind):
        return self.download(kind, start_job=True)

    def download(self, kind: str, *, start_job: bool):
        """Stream the letters; a large segment's are built by a job, which only a POST
        starts: a link followed by a crawler or planted on another site queues nothing."""
        request, pk = self.request, self.segment.pk
        if kind not in DOWNLOADS:
            raise Http404(_("There is no letters download %(kind)s.") % {"kind": kind})
        write, extension, content_type = DOWNLOADS[kind]
        if segment_jobs.is_large(self.segment):
            if not start_job:
                messages.info(
                    request,
                    _(
                        "The letters of segment %(no)s are built in the background; "
                        "start it with a download button on this page."
                    )
                    % {"no": self.segment.no},
                )
                return redirect("segments:letters", pk)
            try:
                job = segment_jobs.start_letters(self.segment, kind=kind, user=request.user)
            except SegmentError as error:
                return stale(request, error, reverse("segments:letters", args=[pk]))
            return job_started(request, job)
        out = spool()
        try:
            write(self.segment, out)
        except (SegmentError, LetterError) as error:
            out.close()
            return stale(request, error, reverse("segments:letters", args=[pk]))
        out.seek(0)
        return FileResponse(
            out,
            as_attachment=True,
            filename=f"{self.segment.no}.{extension}",
            content_type=content_type,
        )
