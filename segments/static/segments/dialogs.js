// Behaviour of the segment page's dialogs that htmx attributes alone cannot express.
(function () {
  // Busy state of buttons marked `data-busy` (Apply in a criteria dialog): while their
  // request runs they are aria-busy and show their spinner; hx-disabled-elt disables them,
  // so a second click cannot send the request twice.
  function busy(event, on) {
    const elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-busy")) return;
    if (on) elt.setAttribute("aria-busy", "true");
    else elt.removeAttribute("aria-busy");
    elt.querySelectorAll(".busy-spinner").forEach((spinner) => spinner.classList.toggle("d-none", !on));
  }
  document.addEventListener("htmx:beforeRequest", (event) => busy(event, true));
  document.addEventListener("htmx:afterRequest", (event) => busy(event, false));

  // The live preview replaces only itself, never the fields (the user may be typing in
  // one). It names the invalid fields in `data-invalid`; mark them, and their tabs, in red.
  document.addEventListener("htmx:afterSwap", (event) => {
    const preview = event.detail.target;
    if (!preview || preview.id !== "criteria-preview") return;
    const form = preview.closest("form");
    if (!form) return;
    const errors = preview.querySelector("#preview-errors");
    const invalid = new Set((errors && errors.dataset.invalid ? errors.dataset.invalid : "").split(" "));
    form.querySelectorAll("input[name], select[name], textarea[name]").forEach((control) => {
      control.classList.toggle("is-invalid", invalid.has(control.name));
    });
    form.querySelectorAll("[role=tab][aria-controls]").forEach((tab) => {
      const pane = document.getElementById(tab.getAttribute("aria-controls"));
      tab.classList.toggle("text-danger", Boolean(pane && pane.querySelector(".is-invalid")));
    });
  });
})();
