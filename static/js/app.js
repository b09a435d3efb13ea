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
})();
