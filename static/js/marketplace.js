/* Marketplace Import page: Quick Fill and the job details modal.
 *
 * htmx (vendored) does the requests and swaps; this file only fills the form and manages the
 * <dialog>: open it when htmx has loaded a job into it, move focus into it, close it on Esc
 * (native), on the close button or a click on the backdrop, and give focus back to the
 * button that opened it. Without JavaScript, Quick Fill reloads the page with the URL filled
 * in and "Details" opens the job's own page.
 */
(function () {
  "use strict";

  // --- Quick Fill ---------------------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-quick-fill-url]");
    if (!button || !button.form) return;
    event.preventDefault();
    var form = button.form;
    var url = form.elements.namedItem("source_url");
    var language = form.elements.namedItem("language");
    var file = form.elements.namedItem("file");
    url.value = button.dataset.quickFillUrl;
    language.value = button.dataset.language;
    if (file) file.value = "";
    form.querySelectorAll(".quick-fill-button").forEach(function (other) {
      other.setAttribute("aria-pressed", other === button ? "true" : "false");
    });
    var status = document.getElementById("quick-fill-status");
    // The sentence comes translated from the template (data-filled-text): no JavaScript catalog.
    if (status) status.textContent = button.dataset.filledText || button.dataset.label + " feed URL and language filled in.";
    url.focus();
  });

  // Typing a URL by hand or choosing a file clears the Quick Fill highlight.
  document.addEventListener("input", function (event) {
    if (event.target.name === "source_url" || event.target.name === "file") {
      document.querySelectorAll(".quick-fill-button[aria-pressed]").forEach(function (button) {
        button.setAttribute("aria-pressed", "false");
      });
    }
  });

  // --- Job details modal ----------------------------------------------------------------------
  var dialog = document.getElementById("job-dialog");
  if (!dialog) return;
  var body = document.getElementById("job-dialog-body");
  var openerId = null;
  var opener = null;

  function focusTitle() {
    var title = dialog.querySelector("#job-title");
    if (title) title.focus();
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.target === body && !dialog.open) {
      opener = event.detail.elt;
      openerId = opener && opener.id ? opener.id : null;
    }
  });

  // The "has started" message must not outlive its job: once the history shows the job in a
  // final state, the message says how it ended.
  function updateStartedMessages() {
    document.querySelectorAll(".msg.job-started").forEach(function (message) {
      var match = /job-started-(\d+)/.exec(message.className);
      var row = match && document.getElementById("job-row-" + match[1]);
      if (!row) return;
      var status = row.getAttribute("data-status");
      if (status === "pending" || status === "processing") return;
      var badge = row.querySelector(".badge");
      // The history carries the translated sentence with {id} and {status} to fill in.
      var history = document.getElementById("import-history");
      var sentence = (history && history.dataset.endedText) || "Import #{id} has ended: {status}.";
      message.textContent = sentence
        .replace("{id}", match[1])
        .replace("{status}", badge ? badge.textContent.trim() : status);
      message.classList.remove("job-started");
      if (status === "failed") message.classList.replace("msg-success", "msg-error");
    });
  }
  updateStartedMessages();

  document.body.addEventListener("htmx:afterSwap", function (event) {
    updateStartedMessages();
    var target = event.detail.target;
    if (target === body) {
      if (!dialog.open) dialog.showModal();
      focusTitle();
      return;
    }
    // A swap inside the modal (errors page, cancel, retry) must not drop focus to <body>.
    if (dialog.open && (document.activeElement === document.body || !document.activeElement)) {
      var heading = dialog.querySelector("#job-errors-title") || dialog.querySelector("#job-title");
      if (heading) {
        heading.setAttribute("tabindex", "-1");
        heading.focus();
      }
    }
  });

  dialog.addEventListener("click", function (event) {
    // A click on the backdrop lands on the <dialog> element itself.
    if (event.target === dialog || event.target.closest("[data-close-dialog]")) dialog.close();
  });

  dialog.addEventListener("close", function () {
    // Empty the body so the job's polling stops while the modal is closed.
    body.innerHTML = "";
    // The history may have been re-rendered while the modal was open: find the opener again.
    var back = (openerId && document.getElementById(openerId)) || opener;
    if (back && document.body.contains(back)) back.focus();
    opener = null;
    openerId = null;
  });
})();
