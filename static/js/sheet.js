// The score sheet page: a file chosen in an evidence form is uploaded at once (printing and
// confirmations come from app.js). No inline scripts: the content security policy forbids them.
//
// A row's save (htmx, on "change") that the network lost stays pending (static/js/pending.js):
// the row shows it, the bar under the sheet counts it, and the same change is fired again
// later, so that htmx sends the row's inputs and version as they are then. A refusal is shown
// as the server answers it (a 200 with its message, or a stale row); an answer of 4xx says
// the change could not be saved.
(function () {
  "use strict";

  var TIMEOUT = 20000; // milliseconds a save may wait for its answer

  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-autoupload]") && input.files.length) {
      input.form.requestSubmit();
    }
  });

  function sheetTable() {
    return document.querySelector("[data-sheet-table]");
  }

  // The entry a row's save is for, from the element that posts it; null for anything else.
  function entryOf(elt) {
    var url = elt && elt.getAttribute && elt.getAttribute("hx-post");
    var found = url && /\/sheets\/\d+\/entries\/(\d+)\/$/.exec(url);
    return found ? found[1] : null;
  }

  function note(entry, level, text) {
    var message = document.getElementById("msg-" + entry);
    if (!message) return;
    message.className = "row-message small level-" + level + (level === "danger" ? " text-danger-emphasis" : "");
    message.textContent = text;
  }

  function mark(entry, unsaved) {
    var row = document.getElementById("row-" + entry);
    if (row) row.classList.toggle("is-unsaved", unsaved);
  }

  function lost(elt, entry) {
    var id = elt.id;
    var key = "sheet-" + entry;
    mark(entry, true);
    note(entry, "offline", sheetTable().dataset.msgOffline || "");
    window.ThiduaPending.lost(key, function () {
      var again = document.getElementById(id);
      if (!again) {
        window.ThiduaPending.settle(key);
        return;
      }
      window.htmx.trigger(again, "change");
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (entryOf(event.detail.elt)) event.detail.timeout = TIMEOUT;
  });

  // Every request ends here, answered or not (after a swap when there was one).
  document.addEventListener("htmx:afterRequest", function (event) {
    var elt = event.detail.elt;
    var entry = entryOf(elt);
    if (!entry) return;
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (window.ThiduaPending.unreachable(status)) {
      lost(elt, entry);
      return;
    }
    window.ThiduaPending.settle("sheet-" + entry);
    mark(entry, false);
    if (status >= 400) note(entry, "danger", sheetTable().dataset.msgRefused || "");
  });

  // Submitting while changes wait for the network would hand in the sheet without them.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "sheet-submit" || window.ThiduaPending.count() === 0) return;
    event.preventDefault();
    event.stopPropagation();
    window.alert(sheetTable().dataset.msgWait);
  }, true);
})();
