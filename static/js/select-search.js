// A search box above every <select data-search="label">: typing hides the options whose
// text does not contain what was typed (chosen options stay visible); Enter chooses the
// first option left. Runs on the page and on every piece htmx loads. Inside an element
// marked `data-multi-select` (the criteria dialogs) Tom Select searches instead
// (static/js/multi-select.js).
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.searchReady || select.closest("[data-multi-select]")) {
      return;
    }
    select.dataset.searchReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "form-control form-control-sm mb-1";
    box.placeholder = select.dataset.search;
    box.setAttribute("aria-label", select.dataset.search);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";

    function matches(option, words) {
      return (
        words === "" ||
        option.selected ||
        option.text.toLowerCase().indexOf(words) !== -1 ||
        option.value.toLowerCase() === words
      );
    }

    box.addEventListener("input", function () {
      var words = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = !matches(option, words);
      });
    });
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      // Enter picks the first match instead of submitting the form.
      event.preventDefault();
      var words = box.value.trim().toLowerCase();
      var first = Array.prototype.find.call(select.options, function (option) {
        return !option.selected && words !== "" && matches(option, words);
      });
      if (first) {
        first.selected = true;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        box.value = "";
        box.dispatchEvent(new Event("input"));
      }
    });
    // The box is not a filter: its typing must not trigger a form's live preview.
    ["keyup", "change"].forEach(function (name) {
      box.addEventListener(name, function (event) {
        event.stopPropagation();
      });
    });
    select.parentNode.insertBefore(box, select);
  }

  function enhanceAll(root) {
    if (root.matches && root.matches("select[data-search]")) {
      enhance(root);
    }
    if (root.querySelectorAll) {
      root.querySelectorAll("select[data-search]").forEach(enhance);
    }
  }

  if (window.htmx) {
    window.htmx.onLoad(enhanceAll);
  } else {
    document.addEventListener("DOMContentLoaded", function () {
      enhanceAll(document);
    });
  }
})();
