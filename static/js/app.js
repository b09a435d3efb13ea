// Behaviour every page shares. Plain file, loaded from base.html: the Content Security
// Policy allows same-origin scripts and no inline handlers, so behaviour is attached here
// with listeners on the document (delegated, so it also works in content htmx swaps in).
(function () {
  "use strict";

  // A dialog that closes forgets its content: the next one opened shows "Loading…" until
  // its own content arrives, never the previous dialog.
  document.addEventListener("hidden.bs.modal", function (event) {
    var body = event.target.querySelector("#dialog-body");
    if (!body || !body.dataset.loading) {
      return;
    }
    body.replaceChildren();
    var loading = document.createElement("div");
    loading.className = "modal-body text-body-secondary";
    loading.textContent = body.dataset.loading;
    body.appendChild(loading);
  });

  // A request htmx sent that the server answered with an error (a failure, or 503 when
  // the database is unavailable): htmx swaps nothing, so without this the page stays as
  // it was without a word (a Log that did not log looked like a click that went missing).
  // The alert goes where the user looks: into the open dialog, else above the page.
  function forgetRequestFailed() {
    var shown = document.getElementById("request-failed");
    if (shown) {
      shown.remove();
    }
  }
  document.addEventListener("htmx:beforeRequest", forgetRequestFailed);
  document.addEventListener("htmx:responseError", function (event) {
    var main = document.querySelector("main");
    if (!main || !main.dataset.requestFailed) {
      return;
    }
    var alert = document.createElement("div");
    alert.id = "request-failed";
    alert.className = "alert alert-danger m-3";
    alert.setAttribute("role", "alert");
    alert.textContent = main.dataset.requestFailed.replace("STATUS", String(event.detail.xhr.status));
    forgetRequestFailed();
    (event.detail.elt.closest(".modal.show .modal-content") || main).prepend(alert);
  });
})();
