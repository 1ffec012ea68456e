// Searchable pickers (tom-select) for every <select data-picker>: type a few letters of a
// person's or unit's name instead of Ctrl-clicking a long list box. The <select> stays the
// form field, so the page posts exactly what it did without the library. An option marked
// data-headless (a unit without a head) shows the warning named by data-headless-warning.
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  function warn(select) {
    var id = select.dataset.headlessWarning;
    var box = id ? document.getElementById(id) : null;
    if (!box) { return; }
    var headless = Array.prototype.some.call(select.selectedOptions, function (option) {
      return option.dataset.headless === "1";
    });
    box.hidden = !headless;
  }

  document.querySelectorAll("select[data-picker]").forEach(function (select) {
    var multiple = select.multiple;
    var settings = {
      plugins: multiple ? ["remove_button"] : [],
      allowEmptyOption: true,
      maxOptions: 500,
      placeholder: select.dataset.placeholder || "Gõ để tìm…",
      // Vietnamese names: "hung" finds "Hùng" (tom-select folds diacritics by default).
      diacritics: true,
      // A choice closes the list, even re-choosing the proposed person (else it stays open
      // over the next field).
      closeAfterSelect: true,
      render: {
        no_results: function () { return '<div class="no-results">Không tìm thấy.</div>'; }
      }
    };
    if (multiple) { settings.hidePlaceholder = false; }
    var picker = new window.TomSelect(select, settings);
    // tom-select moves the <label> to its search box, which is the one control assistive
    // technology should meet; the original <select> only carries the form value, so it is
    // hidden from it (else a screen reader announces two comboboxes of the same name).
    select.setAttribute("aria-hidden", "true");
    select.addEventListener("change", function () { warn(select); });
    picker.on("change", function () { warn(select); });
    warn(select);
  });
}());
