// The admin's export page: "Select all" ticks or clears every field's box. django-import-
// export does this with an onchange= attribute, which the CSP refuses; this listener replaces
// it (templates/admin/import_export/export.html).
document.addEventListener("change", function (event) {
  "use strict";
  if (!event.target.matches || !event.target.matches("input.select-toggle")) {
    return;
  }
  var checked = event.target.checked;
  document
    .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
    .forEach(function (checkbox) {
      checkbox.checked = checked;
    });
});
