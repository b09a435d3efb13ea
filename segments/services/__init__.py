"""The segment services of SPEC section 4 (4.1 building, 4.4 logging): the public API.

Callers import from here (``from segments import services``); the modules below are how
the code is organised, not part of the API:

- ``segments``: create a segment, change its header and language versions, delete it;
- ``criteria_actions``: add, reduce, refine, go back;
- ``lines``: one line by hand (add, remove, override values, its document);
- ``saved_criteria``: save and reuse criteria, reuse a logged segment;
- ``mailing_groups``: apply a segment to a mailing group;
- ``posting``: log a segment, the follow-up segment;
- ``_worksheet``: the mechanics the building steps share (private).

``preview`` / ``Preview`` and ``mailing_group_assignment_count`` are reads and live in
``segments.selectors``, ``export_contacts`` in ``segments.export``; SPEC 4.1 names them
with the services, so they are importable from here too.
"""

from ..export import export_contacts
from ..matching import LINE_ORDER
from ..selectors import Preview, mailing_group_assignment_count, preview
from .consent import remove_refused_lines
from .criteria_actions import (
    add_contacts,
    create_segment_from_criteria,
    go_back,
    reduce_contacts,
    refine_contacts,
)
from .lines import (
    add_line,
    delete_unused_document,
    remove_line,
    remove_line_document,
    reset_line_value,
    set_line_document,
    set_line_values,
)
from .mailing_groups import apply_mailing_group
from .posting import (
    LoggingProblem,
    create_follow_up_segment,
    follow_up_header,
    log_segment,
    segment_problems,
    validate_segment,
)
from .saved_criteria import (
    delete_saved_criteria,
    reuse_criteria,
    reuse_logged_segment,
    save_criteria,
)
from .segments import (
    HEADER_VALUE_FIELDS,
    create_segment,
    delete_segment,
    delete_segment_language,
    save_segment_language,
    update_segment_header,
)

__all__ = [
    "HEADER_VALUE_FIELDS",
    "LINE_ORDER",
    "LoggingProblem",
    "Preview",
    "add_contacts",
    "create_segment_from_criteria",
    "add_line",
    "apply_mailing_group",
    "create_follow_up_segment",
    "create_segment",
    "delete_saved_criteria",
    "delete_segment",
    "delete_segment_language",
    "delete_unused_document",
    "export_contacts",
    "follow_up_header",
    "go_back",
    "log_segment",
    "mailing_group_assignment_count",
    "preview",
    "reduce_contacts",
    "refine_contacts",
    "remove_line",
    "remove_line_document",
    "remove_refused_lines",
    "reset_line_value",
    "reuse_criteria",
    "reuse_logged_segment",
    "save_criteria",
    "save_segment_language",
    "segment_problems",
    "set_line_document",
    "set_line_values",
    "update_segment_header",
    "validate_segment",
]
