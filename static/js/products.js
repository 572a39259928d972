// All Products: select all on the page, count the selection, confirm destructive buttons.
// Delegated listeners, so they keep working after htmx swaps the results in.
(function () {
  "use strict";

  function boxes(form) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="ids"]'));
  }

  function refresh(form) {
    if (!form) return;
    var all = boxes(form);
    var checked = all.filter(function (b) { return b.checked; }).length;
    var counter = form.querySelector("#selected-count");
    if (counter) {
      counter.hidden = checked === 0;
      // The texts come translated from the template (data-text-one / data-text-other): no JS catalog.
      var text = counter.getAttribute(checked === 1 ? "data-text-one" : "data-text-other") || "{count} selected";
      counter.textContent = checked ? " · " + text.replace("{count}", checked) : "";
    }
    form.querySelectorAll("[data-bulk]").forEach(function (button) { button.disabled = checked === 0; });
    var master = form.querySelector("#select-all");
    if (master) {
      master.checked = all.length > 0 && checked === all.length;
      master.indeterminate = checked > 0 && checked < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.id === "select-all") {
      boxes(target.form).forEach(function (b) { b.checked = target.checked; });
      refresh(target.form);
    } else if (target.name === "ids") {
      refresh(target.form);
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });

  function init() { refresh(document.getElementById("bulk-form")); }
  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", init);
})();
