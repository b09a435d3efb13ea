"""Mailing labels as PDF (issue 17): from a segment's lines and from the contact list's
filter, like Business Central's *Segment - Labels* report."""

from ..labels_page import LabelsPage
from ..models import SegmentLine
from .base import SegmentMixin


class SegmentLabelsView(SegmentMixin, LabelsPage):
    """One label per line of the segment, in line order."""

    permission_required = "segments.view_segment"

    @property
    def filename(self) -> str:
        return f"labels-{self.segment.no}.pdf"

    contact = "contact__"
    order = ("line_no",)

    def rows(self):
        return SegmentLine.objects.filter(segment=self.segment)

    def get_context_data(self, **kwargs):
        return super().get_context_data(segment=self.segment, **kwargs)
