// Accessible names for the widgets Django's admin builds without one, which axe-core
// reports (tests/browser/test_accessibility.py):
// - the autocomplete's select2 box (role=combobox) is labelled by its own text, empty
//   while nothing is chosen: it is labelled by the field's <label> first;
// - the two-box selector (filter_horizontal) puts aria-label on a bare <span> icon, which
//   ARIA does not allow: the icon gets role="img", whose name aria-label may be;
// - a file input Django wraps in a <fieldset> is named by the legend, which is no label;
// - a tabular inline's "Delete?" checkboxes are named only by their column's header;
// - a tabular inline wider than the page scrolls, so its box takes keyboard focus;
// - the calendar's "Today" link is named in English on every page (see below).
"use strict";

(function () {
  function labelOf(control) {
    return control.id ? document.querySelector(`label[for="${control.id}"]`) : null;
  }

  function named(control) {
    return labelOf(control) || control.hasAttribute("aria-label");
  }

  function nameWidgets(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach((select) => {
      const box = select.parentElement.querySelector(".select2-selection[role=combobox]");
      const label = labelOf(select);
      if (box && label) {
        label.id = label.id || `${select.id}-label`;
        const own = (box.getAttribute("aria-labelledby") || "").replace(label.id, "").trim();
        box.setAttribute("aria-labelledby", `${label.id} ${own}`.trim());
        const shown = box.querySelector(".select2-selection__rendered[role=textbox]");
        if (shown) {
          shown.setAttribute("aria-labelledby", label.id);
        }
      }
    });
    root.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach((icon) => {
      icon.setAttribute("role", "img");
    });
    root.querySelectorAll("fieldset > legend").forEach((legend) => {
      const name = legend.textContent.replace(/:\s*$/, "").trim();
      legend.parentElement.querySelectorAll("input[type=file]").forEach((input) => {
        if (!named(input)) {
          input.setAttribute("aria-label", name);
        }
      });
    });
    // The calendar's "Today" link: Django names it "Today (date)" in English whatever the
    // page's language; its name starts with the words it shows.
    root.querySelectorAll(".datetimeshortcuts a[aria-label]").forEach((link) => {
      const shown = link.textContent.trim();
      const name = link.getAttribute("aria-label");
      if (shown && !name.includes(shown)) {
        const date = name.match(/\(.*\)/);
        link.setAttribute("aria-label", date ? `${shown} ${date[0]}` : shown);
      }
    });
    root.querySelectorAll(".tabular td.delete input[type=checkbox]").forEach((box) => {
      const header = box.closest("table").querySelectorAll("thead th")[box.closest("td").cellIndex];
      if (header && !named(box)) {
        box.setAttribute("aria-label", header.textContent.trim());
      }
    });
    root.querySelectorAll(".tabular .wrapper, .tabular").forEach((box) => {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        box.tabIndex = 0;
      }
    });
  }

  // Django builds these widgets on DOMContentLoaded or load, and the autocomplete boxes in a
  // jQuery ready handler that may run after load: name what exists at load, then each
  // select2 box as it is added (including those in rows an inline formset adds).
  function nameAddedBoxes(records) {
    records.forEach((record) => {
      record.addedNodes.forEach((node) => {
        if (node.nodeType === Node.ELEMENT_NODE && node.matches(".select2-container")) {
          nameWidgets(node.parentElement || document);
        }
      });
    });
  }

  window.addEventListener("load", () => {
    nameWidgets(document);
    new MutationObserver(nameAddedBoxes).observe(document.body, { childList: true, subtree: true });
  });
  document.addEventListener("formset:added", (event) => nameWidgets(event.target));
})();
