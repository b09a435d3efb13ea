"""Segment pages (SPEC section 5): the list, the worksheet and its dialogs, saved criteria.

``segments/urls.py`` wires the modules directly:

- ``base``: redirects, ``SegmentMixin`` / ``LineMixin`` (load the URL's segment and line),
  ``DialogMixin``, ``SegmentDialogView`` (a dialog whose form goes to one service);
- ``worksheet``: segment list, new segment, worksheet, header, delete;
- ``lines``: a line's row, value edit and reset, add, remove, contact search;
- ``letters``: a line's letter (note, document, preview), letters downloads, CSV export;
- ``criteria``: add / reduce / refine with the live preview, go back, save and reuse
  criteria, reuse a logged segment, apply a mailing group;
- ``labels``: mailing labels as PDF (the contact list's are a ``site_views`` page);
- ``posting``: log a segment, follow-up segment from a logged segment;
- ``saved_criteria``: saved criteria list, detail, delete.

The home page and contact card, which span apps, are ``segments.site_views``.
"""
