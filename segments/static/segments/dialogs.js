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

  // Focus after a dialog's content arrives (opened, or shown again with errors after
  // Apply): on the first field marked invalid, its tab shown first, else on the dialog's
  // first field. Bootstrap focuses the modal itself once its opening transition ends,
  // so while it opens the focus waits for "shown" (a later focus would be taken back).
  function firstField(body) {
    const form = body.querySelector("form");
    if (!form) return null;
    const fields = "input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled])";
    const invalid = form.querySelector(".is-invalid");
    if (invalid) return invalid;
    return Array.from(form.querySelectorAll(fields)).find((field) => !field.closest(".tab-pane:not(.active)")) || null;
  }

  function focusField(field) {
    if (!field) return;
    const pane = field.closest(".tab-pane");
    if (pane && !pane.classList.contains("active") && window.bootstrap) {
      const tab = document.querySelector(`[data-bs-target="#${pane.id}"]`);
      if (tab) window.bootstrap.Tab.getOrCreateInstance(tab).show();
    }
    if (field.tomselect) {
      field.tomselect.focus();
    } else {
      field.focus({ preventScroll: false });
    }
  }

  document.addEventListener("shown.bs.modal", (event) => {
    event.target.dataset.shown = "1";
    const body = event.target.querySelector("#dialog-body");
    if (body) focusField(firstField(body));
  });
  document.addEventListener("hide.bs.modal", (event) => {
    delete event.target.dataset.shown;
  });
  document.addEventListener("htmx:afterSettle", (event) => {
    const body = event.detail.target;
    if (!body || body.id !== "dialog-body") return;
    const modal = body.closest(".modal");
    // A dialog shown as a page of its own (no modal) keeps the browser's own focus.
    if (modal && modal.dataset.shown) focusField(firstField(body));
  });

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
