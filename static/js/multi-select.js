// Searchable multi-selects (Tom Select, static/vendor/tom-select/) for every
// <select multiple> inside an element marked `data-multi-select` (the criteria dialogs).
// Type to narrow the list, Enter or a click picks, the × on a chosen value removes it;
// no Ctrl-click. The original <select> stays in the form, hidden but posted, and gets the
// change events htmx listens to (the live preview). Runs on the page and again on every
// piece htmx swaps in (a dialog loaded into the modal, or re-rendered after Apply).
(function () {
  "use strict";

  function enhance(select, scope) {
    if (select.tomselect || !window.TomSelect) {
      return;
    }
    var options = {
      // Every option is reachable by scrolling, not only the first 50.
      maxOptions: null,
      hidePlaceholder: true,
      placeholder: select.dataset.search || scope.dataset.multiSelect || "",
      plugins: { remove_button: { title: scope.dataset.removeLabel || "Remove" } },
      // After a pick the search starts afresh for the next value; the list stays open.
      clearAfterSelect: true,
    };
    var label = select.id ? document.querySelector('label[for="' + select.id + '"]') : null;
    var control = new window.TomSelect(select, options);
    // Tom Select points the field's <label> at its search box; the hidden original
    // <select> keeps the same name for assistive technology (axe-core: select-name).
    if (label) {
      label.id = label.id || select.id + "-label";
      select.setAttribute("aria-labelledby", label.id);
    }
    // The search box is not a filter: its typing must not trigger the live preview (the
    // form's keyup trigger); picking a value fires the select's own change event.
    control.control_input.addEventListener("keyup", function (event) {
      event.stopPropagation();
    });
    control.control_input.addEventListener("change", function (event) {
      event.stopPropagation();
    });
  }

  function enhanceAll(root) {
    if (!root.querySelectorAll) {
      return;
    }
    var scopes = [];
    if (root.matches && root.matches("[data-multi-select]")) {
      scopes.push(root);
    }
    root.querySelectorAll("[data-multi-select]").forEach(function (scope) {
      scopes.push(scope);
    });
    if (!scopes.length && root.closest) {
      var outer = root.closest("[data-multi-select]");
      if (outer) {
        scopes.push(outer);
      }
    }
    scopes.forEach(function (scope) {
      scope.querySelectorAll("select[multiple]").forEach(function (select) {
        enhance(select, scope);
      });
    });
  }

  if (window.htmx) {
    window.htmx.onLoad(enhanceAll);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  }
})();
