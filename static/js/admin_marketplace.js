// Quick Fill on /admin/marketplace: the store <select>'s options carry the store's feed URLs
// (data-url-fr, data-url-en, data-url-de); a button copies one into the URL field and sets
// the language to match. Its texts come translated from the form's data-text-* attributes
// (the page's language; CSP allows no inline script to carry them).
"use strict";
(function () {
  const form = document.getElementById("admin-import-form");
  if (!form) {
    return;
  }
  const store = form.querySelector("select[name=store]");
  const url = form.querySelector("input[name=source_url]");
  const language = form.querySelector("select[name=language]");
  const note = document.getElementById("quick-fill-note");
  const buttons = form.querySelectorAll("[data-quick-fill]");
  const texts = form.dataset;

  function selectedOption() {
    return store.options[store.selectedIndex] || null;
  }

  function refreshButtons() {
    const option = selectedOption();
    buttons.forEach(function (button) {
      const feed = option ? option.getAttribute("data-url-" + button.dataset.quickFill) : "";
      button.disabled = !feed;
      button.title = feed || texts.textNoFeed;
    });
    note.textContent = option && option.value ? "" : texts.textChooseStore;
  }

  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      const option = selectedOption();
      const feed = option ? option.getAttribute("data-url-" + button.dataset.quickFill) : "";
      if (!feed) {
        note.textContent = texts.textNoFeedForLanguage;
        return;
      }
      url.value = feed;
      language.value = button.dataset.quickFill;
      note.textContent = texts.textFilled.replace("{store}", option.textContent.trim());
    });
  });

  store.addEventListener("change", function () {
    const option = selectedOption();
    if (option && option.dataset.defaultLanguage) {
      language.value = option.dataset.defaultLanguage;
    }
    refreshButtons();
  });
  refreshButtons();
})();
