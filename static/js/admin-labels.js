// Accessible names for the widgets Django's admin scripts build at run time, which axe-core
// reports (tests/browser/test_accessibility.py):
// - the autocomplete's select2 box (role=combobox) is named by its own text, empty while
//   nothing is chosen: name it after the field's <label>;
// - the two-box selector (filter_horizontal) puts aria-label on a bare <span> icon, which
//   ARIA does not allow: give the icon role="img", whose name aria-label may be;
// - a file input Django wraps in a <fieldset> is named by the legend, which is no label:
//   name it after the legend.
"use strict";

(function () {
  function fieldLabel(select) {
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    return label ? label.textContent.replace(/:\s*$/, "").trim() : "";
  }

  function nameWidgets(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      const name = fieldLabel(select);
      if (box && name) {
        box.setAttribute("aria-label", name);
      }
    });
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll("fieldset > legend").forEach((legend) => {
      const name = legend.textContent.replace(/:\s*$/, "").trim();
      legend.parentElement.querySelectorAll("input[type=file]").forEach((input) => {
        const labelled = input.id && document.querySelector(`label[for="${input.id}"]`);
        if (!labelled && !input.hasAttribute("aria-label")) {
          input.setAttribute("aria-label", name);
        }
      });
    });
  }

  // Django builds both widgets on DOMContentLoaded/load; name them once they exist, and
  // again for rows an inline formset adds.
  window.addEventListener("load", () => nameWidgets(document));
  document.addEventListener("formset:added", (event) => nameWidgets(event.target));
})();
