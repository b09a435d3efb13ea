// Busy state of htmx buttons marked `data-busy` (e.g. Apply in a criteria dialog): while
// their request runs they are aria-busy and show their spinner; htmx's hx-disabled-elt
// disables them meanwhile, so a second click cannot send the request twice.
(function () {
  function busy(event, on) {
    const elt = event.detail.elt;
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-busy")) return;
    if (on) elt.setAttribute("aria-busy", "true");
    else elt.removeAttribute("aria-busy");
    elt.querySelectorAll(".busy-spinner").forEach((spinner) => spinner.classList.toggle("d-none", !on));
  }
  document.addEventListener("htmx:beforeRequest", (event) => busy(event, true));
  document.addEventListener("htmx:afterRequest", (event) => busy(event, false));
})();
