// The score sheet page: a file chosen in an evidence form is uploaded at once (printing and
// confirmations come from app.js). No inline scripts: the content security policy forbids them.
//
// A row's save (htmx, on "change") or an evidence upload that the network lost stays pending
// (static/js/pending.js): the row shows it, the bar under the sheet counts it, and the same
// change is fired again later, so that htmx sends the row's inputs and version as they are
// then (an upload: its form again, with the file still chosen). A refusal is shown as the
// server answers it (a 200 with its message, or a stale row); an answer of 4xx says the change
// could not be saved.
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

  // An evidence file chosen while the network is down stays in its form and is sent again
  // (no time limit: a photo may take long on a slow network).
  function uploadOf(elt) {
    if (!elt || !elt.matches || !elt.matches("form.upload-form")) return null;
    var found = /\/entries\/(\d+)\/evidence\/$/.exec(elt.getAttribute("hx-post") || "");
    return found ? found[1] : null;
  }

  function uploadNote(entry, unsaved, text) {
    var box = document.getElementById("evidence-" + entry);
    if (!box) return;
    box.classList.toggle("is-unsaved", unsaved);
    var note = box.querySelector(".upload-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "upload-note small";
      box.appendChild(note);
    }
    note.classList.toggle("text-danger-emphasis", !unsaved);
    note.textContent = text;
  }

  function uploadLost(entry) {
    var key = "upload-" + entry;
    uploadNote(entry, true, sheetTable().dataset.msgOffline || "");
    window.ThiduaPending.lost(key, function () {
      var form = document.querySelector("#evidence-" + entry + " form.upload-form");
      var file = form && form.querySelector("input[type=file]");
      if (!file || !file.files.length) {
        window.ThiduaPending.settle(key);
        return;
      }
      form.requestSubmit();
    });
  }

  document.addEventListener("htmx:configRequest", function (event) {
    if (entryOf(event.detail.elt)) event.detail.timeout = TIMEOUT;
  });

  // What became of a save: no answer (lost), a gateway's 502/503/504 (lost), or an answer of
  // the application (landed, or refused with its message).
  // The message of a refusal: the server's own when it says why in plain text (a phase
  // closed by its deadline, docs/deadlines.md), else the page's general one.
  function refusal(status, xhr) {
    if (status < 400) return "";
    var type = xhr && xhr.getResponseHeader ? xhr.getResponseHeader("Content-Type") || "" : "";
    var text = type.indexOf("text/plain") === 0 ? (xhr.responseText || "").trim() : "";
    if (text && text.length < 500) return text;
    return sheetTable().dataset.msgRefused || "";
  }

  function outcome(elt, status, xhr) {
    var upload = uploadOf(elt);
    var entry = upload ? null : entryOf(elt);
    if (!upload && !entry) return;
    if (window.ThiduaPending.unreachable(status)) {
      if (upload) uploadLost(upload);
      else lost(elt, entry);
      return;
    }
    var refused = refusal(status, xhr);
    if (upload) {
      window.ThiduaPending.settle("upload-" + upload);
      if (refused) uploadNote(upload, false, refused);
      return;
    }
    window.ThiduaPending.settle("sheet-" + entry);
    mark(entry, false);
    if (refused) note(entry, "danger", refused);
  }

  // An answer, before it is swapped in: the element that sent it is still in the page then
  // (a swap may replace it, and an element out of the page sends its events nowhere).
  document.addEventListener("htmx:beforeSwap", function (event) {
    // detail.elt is the element the event is fired on (the target); the sender is the
    // request's.
    var config = event.detail.requestConfig;
    outcome(config ? config.elt : event.detail.elt, event.detail.xhr.status, event.detail.xhr);
  });

  // No answer at all (no connection, the time limit).
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status === 0) outcome(event.detail.elt, 0);
  });

  // Submitting while changes wait for the network would hand in the sheet without them.
  document.addEventListener("submit", function (event) {
    if (event.target.id !== "sheet-submit" || window.ThiduaPending.count() === 0) return;
    event.preventDefault();
    event.stopPropagation();
    window.alert(sheetTable().dataset.msgWait);
  }, true);
})();
