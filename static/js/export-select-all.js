// The admin export's "Select all" toggle (django-import-export): its inline onchange is
// blocked by the Content Security Policy, so bind the library's handler as a listener.
document.addEventListener("change", (event) => {
  if (event.target.matches("input.select-toggle") && typeof onSelectToggleChange === "function") {
    onSelectToggleChange(event);
  }
});
