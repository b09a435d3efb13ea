"""Mailing labels as PDF (issue 17): from a segment's lines and from the contact list's
filter, like Business Central's *Segment - Labels* report."""

from interactions import labels

from ..labels_page import LabelsPage
from ..models import SegmentLine
from .base import SegmentMixin


class SegmentLabelsView(SegmentMixin, LabelsPage):
    """One label per line of the segment, in line order."""

    permission_required = "segments.view_segment"

    @property
    def filename(self) -> str:
        return f"labels-{self.segment.no}.pdf"

    def lines(self):
        return SegmentLine.objects.filter(segment=self.segment)

    def blocks(self):
        return labels.address_blocks(self.lines(), "contact__", order=("line_no",))

    def label_count(self) -> int:
        return self.lines().filter(labels.may_get_post("contact__")).count()

    def get_context_data(self, **kwargs):
        return super().get_context_data(segment=self.segment, **kwargs)
