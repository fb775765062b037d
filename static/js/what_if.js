// The sheet's what-if mode ("Thử tính", templates/scoring/lead_panel.html). The sheet's own
// inputs become the trial inputs: switching the mode on (an aria-pressed button) remembers
// every input's value; while it is on, a change never reaches htmx (no save, no queued save,
// no pending save, no "leave the page?" question) but posts the current values of the sheet's
// inputs, named w<entry id>-<input name> as the server expects, to /sheets/<id>/what-if/, whose
// answer fills #what-if-result (announced: aria-live), the sticky bar (out of band) and a hidden
// list of each row's trial points that this file moves under the row's points. Switching it
// off puts every remembered value back, removes the trial points and clears the result. The
// rules are the server's only (scoring/lead.py); nothing here computes a point.
(function () {
  "use strict";

  var FIELD = /^e(\d+)-([a-z_]+)$/; // a sheet input's id: e<entry id>-<input name>
  var remembered = {}; // input id -> its value when the mode was switched on
  var barText = null; // the sticky bar's "nothing is saved" before an answer replaces it

  function on() {
    return document.body.classList.contains("what-if-on");
  }

  function form() {
    return document.querySelector("[data-what-if-form]");
  }

  // The sheet's inputs of an entry (points, counts, choices) and its comment: everything a
  // trial may change and that must come back as it was.
  function fields() {
    var table = document.querySelector("[data-sheet-table]");
    if (!table) return [];
    return Array.prototype.filter.call(table.querySelectorAll("input, select, textarea"), function (field) {
      return field.type !== "hidden" && FIELD.test(field.id);
    });
  }

  function isField(element) {
    return !!(element && element.id && FIELD.test(element.id) && element.closest && element.closest("[data-sheet-table]"));
  }

  function say(text) {
    var state = document.querySelector("[data-what-if-state]");
    if (state) state.textContent = text || "";
  }

  function clearTrial() {
    document.querySelectorAll("[data-what-if-trial]").forEach(function (box) { box.remove(); });
    var result = document.getElementById("what-if-result");
    if (result) result.textContent = "";
    var bar = document.getElementById("what-if-bar");
    if (bar && barText !== null) bar.textContent = barText;
  }

  function setMode(active) {
    var holder = form();
    var bar = document.getElementById("what-if-bar");
    if (bar && barText === null) barText = bar.textContent;
    if (active) {
      remembered = {};
      fields().forEach(function (field) { remembered[field.id] = field.value; });
    }
    document.body.classList.toggle("what-if-on", active);
    document.querySelectorAll("[data-what-if]").forEach(function (element) {
      element.hidden = !active;
    });
    if (active) {
      say(holder && holder.dataset.msgOn);
      return;
    }
    // Leaving the mode forgets the trial: the inputs show the values they had before it.
    Object.keys(remembered).forEach(function (id) {
      var field = document.getElementById(id);
      if (field) field.value = remembered[id];
    });
    remembered = {};
    clearTrial();
    say(holder && holder.dataset.msgOff);
    // A save the network had lost and that came due meanwhile was held back: send it now,
    // with the values it was made with.
    if (window.ThiduaPending && window.ThiduaPending.retryAll) window.ThiduaPending.retryAll();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-what-if-toggle]");
    if (!button) return;
    var active = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", active ? "true" : "false");
    setMode(active);
  });

  function compute() {
    var holder = form();
    if (!holder || !window.htmx) return;
    var values = {};
    fields().forEach(function (field) {
      var found = FIELD.exec(field.id);
      if (found[2] === "comment") return;
      values["w" + found[1] + "-" + found[2]] = field.value;
    });
    var sent = window.htmx.ajax("POST", holder.getAttribute("action"), {
      source: holder,
      target: "#what-if-result",
      swap: "innerHTML",
      values: values,
    });
    // No answer (no connection): say so in the result region instead of an unhandled error.
    if (sent && sent.catch) {
      sent.catch(function () {
        var result = document.getElementById("what-if-result");
        if (result && on()) result.textContent = holder.dataset.msgFailed || "";
      });
    }
  }

  // In the mode a change of a sheet input is a trial: caught before htmx (listening on the
  // input) sees it, so that no save is sent, queued or kept pending.
  document.addEventListener("change", function (event) {
    if (!on() || !isField(event.target)) return;
    event.stopPropagation();
    if (event.target.tagName !== "TEXTAREA") compute();
  }, true);

  // Enter in a trial input computes at once (as a change would on leaving it).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !on() || !isField(event.target) || event.target.tagName === "TEXTAREA") return;
    event.preventDefault();
    compute();
  }, true);

  // Each row's trial points, from the answer's hidden list to under the row's points.
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!event.detail.target || event.detail.target.id !== "what-if-result") return;
    var list = event.detail.target.querySelector("[data-what-if-points]");
    if (!list) return;
    var label = (form() && form().dataset.msgTrial) || "";
    Array.prototype.slice.call(list.children).forEach(function (value) {
      var points = document.getElementById("points-" + value.dataset.entry);
      var cell = points && points.parentNode;
      if (!cell) return;
      var box = cell.querySelector("[data-what-if-trial]");
      if (!box) {
        box = document.createElement("div");
        box.className = "what-if-trial small";
        box.setAttribute("data-what-if-trial", "");
        box.appendChild(document.createTextNode(label + ": "));
        cell.appendChild(box);
      } else {
        var old = box.querySelector(".what-if-value");
        if (old) old.remove();
      }
      box.appendChild(value);
    });
    list.remove();
  });

  // A save that still reaches htmx in the mode (none should) is cancelled.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var path = (event.detail.requestConfig && event.detail.requestConfig.path) || "";
    if (on() && /\/sheets\/\d+\/entries\/\d+\/$/.test(path)) {
      event.preventDefault();
    }
  });
})();
