// Behaviour of the segment worksheet (the lines table) that htmx attributes cannot express.
(function () {
  "use strict";

  // The page size select submits its form when changed (the form works without it too).
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (select.matches && select.matches("select.auto-submit") && select.form) {
      select.form.requestSubmit();
    }
  });

  // Keyboard users keep their place when a row is swapped: the edit form's field gets the
  // focus when a value opens for editing, and the value's link when it is saved or reset.
  let field = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    const cell = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("#lines td[data-field]");
    field = cell ? cell.dataset.field : null;
  });
  // htmx:load fires on the new row once it is in the page (the old row, detached by the
  // swap, no longer passes its events on to the document).
  document.addEventListener("htmx:load", (event) => {
    const row = event.target;
    if (!field || !row.matches || !row.matches("#lines tr[data-line-no]")) return;
    const cell = row.querySelector(`td[data-field="${field}"]`);
    const target = cell && (cell.querySelector(".line-edit-form input:not([type=hidden]), .line-edit-form select, .line-edit-form textarea") || cell.querySelector("a.cell-edit"));
    if (target) target.focus();
    field = null;
  });
})();
