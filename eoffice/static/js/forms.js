// Small form behaviours for every page, kept out of inline handlers (the CSP forbids those).
// <select data-autosubmit> submits its form when the choice changes.
document.querySelectorAll("[data-autosubmit]").forEach((element) => {
  element.addEventListener("change", () => element.form && element.form.requestSubmit());
});
