// The scoring grid (templates/scoring/grid.html): moves like a spreadsheet, saves a cell when
// it is left, fills a block pasted from Excel. No framework; htmx does the swaps.
//
// Keys: arrows move between cells (left/right move the caret while editing, and leave the
// cell at its edge); Tab / Shift+Tab move right / left; Enter / Shift+Enter move down / up;
// Escape puts back the value the cell had when it was entered; F2 edits the cell.
(function () {
  "use strict";

  var editing = false; // typing in the cell (the caret moves) rather than moving between cells
  var focusValue = ""; // the value of the focused cell when it was entered (for Escape)
  var clicking = false;
  var queue = Promise.resolve(); // saves run one after another, in the order they were made
  var inFlight = 0;
  var swapping = false; // a cell being replaced by the server's answer is not "left"
  var TIMEOUT = 20000; // milliseconds a save may wait for its answer

  function table() {
    return document.getElementById("score-grid");
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function isCell(el) {
    return el && el.classList && el.classList.contains("gi") && el.closest("#score-grid");
  }

  function cellAt(r, c) {
    return table().querySelector('input.gi[data-r="' + r + '"][data-c="' + c + '"]');
  }

  function limits() {
    var grid = table();
    if (!grid.dataset.maxR) {
      var maxR = 0, maxC = 0;
      grid.querySelectorAll("input.gi").forEach(function (input) {
        maxR = Math.max(maxR, +input.dataset.r);
        maxC = Math.max(maxC, +input.dataset.c);
      });
      grid.dataset.maxR = maxR;
      grid.dataset.maxC = maxC;
    }
    return { r: +grid.dataset.maxR, c: +grid.dataset.maxC };
  }

  // The next cell from `input` in the direction (dr, dc), skipping gaps; null at the edge.
  function neighbour(input, dr, dc) {
    var max = limits();
    var r = +input.dataset.r, c = +input.dataset.c;
    for (;;) {
      r += dr;
      c += dc;
      if (r < 0 || c < 0 || r > max.r || c > max.c) return null;
      var next = cellAt(r, c);
      if (next) return next;
    }
  }

  function go(input, dr, dc) {
    var next = neighbour(input, dr, dc);
    if (!next) return false;
    next.focus();
    return true;
  }

  // Tab at the end of a row goes on at the start of the next one (Shift+Tab: back).
  function wrap(input, forward) {
    var max = limits();
    var r = +input.dataset.r + (forward ? 1 : -1);
    for (; r >= 0 && r <= max.r; r += forward ? 1 : -1) {
      for (var i = 0; i <= max.c; i++) {
        var next = cellAt(r, forward ? i : max.c - i);
        if (next) {
          next.focus();
          return true;
        }
      }
    }
    return false;
  }

  function setEditing(input, value) {
    editing = value;
    input.classList.toggle("is-editing", value);
  }

  // A cell's input is "i<entry>-<field>"; its cell (td) is "c<entry>-<field>".
  function entryOf(input) {
    return input.id.slice(1).split("-")[0];
  }

  function fieldOf(input) {
    return input.id.slice(1).split("-")[1];
  }

  function entryInputs(entry) {
    return table().querySelectorAll('input.gi[id^="i' + entry + '-"]');
  }

  function siblings(input) {
    return entryInputs(entryOf(input));
  }

  function message(name) {
    return table().dataset[name] || "";
  }

  // --- Saving ---------------------------------------------------------------------------

  function markFailed(td, text) {
    td.classList.remove("is-saving");
    td.classList.add("is-failed");
    var old = td.querySelector(".ge");
    if (old) old.remove();
    var note = document.createElement("div");
    note.className = "ge";
    note.setAttribute("role", "alert");
    note.textContent = text;
    td.appendChild(note);
  }

  // Save the entry `input` belongs to when one of its inputs changed. The inputs of one
  // criterion (a rate's numerator and denominator) are saved together, once all are filled.
  function maybeSave(input) {
    if (input.readOnly) return;
    var all = Array.prototype.slice.call(siblings(input));
    var changed = all.some(function (i) { return i.value !== i.defaultValue; });
    var filled = all.filter(function (i) { return i.value.trim() !== ""; }).length;
    all.forEach(function (i) {
      i.closest("td").classList.remove("is-pending");
      i.closest("td").removeAttribute("title");
    });
    if (!changed) return;
    if (filled > 0 && filled < all.length) {
      all.forEach(function (i) {
        if (i.value !== i.defaultValue || i.value.trim() === "") {
          i.closest("td").classList.add("is-pending");
          i.closest("td").title = message("msgPending");
        }
      });
      return;
    }
    var id = input.id;
    inFlight += 1;
    input.closest("td").classList.add("is-saving");
    queue = queue.then(function () { return send(id); }).then(done, done);
  }

  function replace(td, html) {
    swapping = true;
    try {
      htmx.swap(td, html, { swapStyle: "outerHTML" });
    } finally {
      swapping = false;
    }
  }

  // Screen readers hear each save and the unit's recomputed total (#grid-announce, a polite
  // live region): the unit is whichever of the cell's two headers names one.
  function announce(input) {
    var region = document.getElementById("grid-announce");
    if (!region) return;
    var head = null;
    (input.getAttribute("aria-labelledby") || "").split(" ").forEach(function (id) {
      var el = document.getElementById(id);
      if (el && el.querySelector(".gu-name")) head = el;
    });
    if (!head) return;
    var total = head.querySelector(".gu-figs strong");
    region.textContent = region.dataset.msgSaved
      .replace("__unit__", head.querySelector(".gu-name").textContent.trim())
      .replace("__total__", total ? total.textContent.trim() : "");
  }

  function done() {
    inFlight -= 1;
  }

  // A save the network lost (static/js/pending.js): the cell shows it is not stored yet and
  // it is sent again later, with the values and version the cell has then.
  function lost(id) {
    var input = document.getElementById(id);
    if (!input) return;
    var key = "grid-" + entryOf(input);
    var td = input.closest("td");
    td.classList.remove("is-saving", "is-failed");
    td.classList.add("is-offline");
    var old = td.querySelector(".ge");
    if (old) old.remove();
    var note = document.createElement("div");
    note.className = "ge";
    note.textContent = message("msgOffline");
    td.appendChild(note);
    window.ThiduaPending.lost(key, function () {
      if (!document.getElementById(id)) {
        window.ThiduaPending.settle(key);
        return;
      }
      inFlight += 1;
      queue = queue.then(function () { return send(id); }).then(done, done);
    });
  }

  function send(id) {
    var input = document.getElementById(id);
    if (!input) return null;
    var key = "grid-" + entryOf(input);
    var retried = window.ThiduaPending.has(key);
    var grid = table();
    var body = new FormData();
    var sent = {};
    body.append("field", fieldOf(input));
    body.append("value", input.value);
    body.append("version", input.dataset.version);
    body.append("by", grid.dataset.by || "");
    siblings(input).forEach(function (i) {
      sent[i.id] = i.value;
      if (i !== input) body.append(fieldOf(i), i.value);
    });
    var url = grid.dataset.saveUrl.replace("__entry__", entryOf(input));
    // A request with no answer after TIMEOUT is given up and counted as lost.
    var controller = new AbortController();
    var timer = window.setTimeout(function () { controller.abort(); }, TIMEOUT);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      signal: controller.signal,
    }).then(function (response) {
      if (window.ThiduaPending.unreachable(response.status)) {
        window.clearTimeout(timer);
        lost(id);
        return null;
      }
      return response.text().then(function (html) {
        window.clearTimeout(timer);
        window.ThiduaPending.settle(key);
        var td = document.getElementById("c" + input.id.slice(1));
        if (!td) return;
        td.classList.remove("is-offline");
        if ([200, 409, 422].indexOf(response.status) < 0) {
          markFailed(td, response.status === 403 ? message("msgForbidden") : message("msgFailed"));
          return;
        }
        replace(td, html);
        var fresh = document.getElementById(id);
        if (!fresh) return;
        siblings(fresh).forEach(function (i) {
          i.dataset.version = fresh.dataset.version;
          if (response.status === 200 && i !== fresh && sent[i.id] !== undefined) {
            i.defaultValue = sent[i.id];
          }
        });
        var landed = response.status === 200;
        if (response.status === 409 && retried && alreadyStored(fresh, sent)) {
          // The lost save had arrived after all (only its answer was lost): what is stored
          // is what was typed, so it is no one else's change.
          landed = true;
          fresh.closest("td").classList.remove("is-stale");
          var stale = fresh.closest("td").querySelector(".ge");
          if (stale) stale.remove();
        }
        if (landed) {
          var cell = fresh.closest("td");
          cell.classList.add("is-saved");
          window.setTimeout(function () { cell.classList.remove("is-saved"); }, 1300);
          announce(fresh);
        }
        initPopovers(document.getElementById("grid-card"));
      });
    }, function () {
      window.clearTimeout(timer);
      lost(id); // no answer: no connection, or given up after TIMEOUT
    }).catch(function () {
      window.ThiduaPending.settle(key);
      var td = document.getElementById("c" + input.id.slice(1));
      if (td) markFailed(td, message("msgFailed"));
    });
  }

  // Whether the cell and its siblings hold what a save sent.
  function alreadyStored(fresh, sent) {
    return Array.prototype.every.call(siblings(fresh), function (i) {
      return sent[i.id] === undefined || i.value === sent[i.id];
    });
  }

  // --- Keys, focus and paste ------------------------------------------------------------------

  document.addEventListener("mousedown", function (event) {
    clicking = isCell(event.target) ? true : clicking;
  });

  document.addEventListener("focusin", function (event) {
    var input = event.target;
    if (!isCell(input)) return;
    focusValue = input.value;
    setEditing(input, clicking && !input.readOnly);
    if (!clicking) input.select();
    clicking = false;
  });

  document.addEventListener("focusout", function (event) {
    var input = event.target;
    if (!isCell(input) || swapping) return;
    input.classList.remove("is-editing");
    maybeSave(input);
  });

  document.addEventListener("input", function (event) {
    if (isCell(event.target)) setEditing(event.target, true);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isCell(input) || event.altKey || event.ctrlKey || event.metaKey) return;
    var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
    var atEnd = input.selectionStart === input.value.length;
    var moved = false;
    switch (event.key) {
      case "ArrowUp":
        moved = go(input, -1, 0);
        event.preventDefault();
        break;
      case "ArrowDown":
        moved = go(input, 1, 0);
        event.preventDefault();
        break;
      case "ArrowLeft":
        if (!editing || atStart) {
          moved = go(input, 0, -1);
          event.preventDefault();
        }
        break;
      case "ArrowRight":
        if (!editing || atEnd) {
          moved = go(input, 0, 1);
          event.preventDefault();
        }
        break;
      case "Tab":
        moved = go(input, 0, event.shiftKey ? -1 : 1) || wrap(input, !event.shiftKey);
        if (moved) event.preventDefault();
        break;
      case "Enter":
        event.preventDefault();
        moved = go(input, event.shiftKey ? -1 : 1, 0);
        if (!moved) {
          maybeSave(input);
          focusValue = input.value;
          setEditing(input, false);
          input.select();
        }
        break;
      case "Escape":
        event.preventDefault();
        input.value = focusValue;
        setEditing(input, false);
        input.select();
        break;
      case "F2":
        event.preventDefault();
        if (!input.readOnly) {
          setEditing(input, true);
          input.setSelectionRange(input.value.length, input.value.length);
        }
        break;
    }
    return moved;
  });

  // A block copied from Excel: rows separated by new lines, cells by tabs. It fills the
  // cells to the right and below the focused one; each changed entry is saved.
  document.addEventListener("paste", function (event) {
    var input = event.target;
    if (!isCell(input)) return;
    var text = (event.clipboardData || window.clipboardData).getData("text") || "";
    text = text.replace(/\r\n?/g, "\n").replace(/\n+$/, "");
    if (!/[\t\n]/.test(text)) {
      if (!input.readOnly) {
        event.preventDefault();
        input.value = text.trim();
        setEditing(input, true);
      }
      return;
    }
    event.preventDefault();
    var touched = [];
    var rowStart = input;
    text.split("\n").forEach(function (line) {
      var cell = rowStart;
      line.split("\t").forEach(function (value) {
        if (!cell) return;
        value = value.trim();
        if (!cell.readOnly && cell.value !== value) {
          cell.value = value;
          touched.push(cell);
        }
        cell = neighbour(cell, 0, 1);
      });
      rowStart = rowStart && neighbour(rowStart, 1, 0);
    });
    focusValue = input.value;
    var seen = {};
    touched.forEach(function (cell) {
      if (seen[entryOf(cell)]) return;
      seen[entryOf(cell)] = true;
      maybeSave(cell);
    });
  });

  // Refreshing the grid would put the stored values over the ones still waiting to be sent.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "grid-card" || window.ThiduaPending.count() === 0) return;
    event.preventDefault();
    window.alert(message("msgWait"));
  });

  window.addEventListener("beforeunload", function (event) {
    var grid = table();
    if (!grid) return;
    if (inFlight > 0 || grid.querySelector(".is-pending")) {
      event.preventDefault();
      event.returnValue = message("msgUnsaved");
    }
  });

  // --- Explanations and overrides --------------------------------------------------------------

  function initPopovers(root) {
    if (!root || !window.bootstrap) return;
    root.querySelectorAll('[data-bs-toggle="popover"]').forEach(function (el) {
      window.bootstrap.Popover.getOrCreateInstance(el);
    });
  }

  function fill(form, name, value) {
    var el = form.querySelector('[data-o="' + name + '"]');
    if (el) el.textContent = value || "—";
  }

  // What the override form shows, read from the badge's cell and the grid's headers.
  function badgeInfo(button) {
    var input = button.closest("td").querySelector("input.gi");
    var byUnits = table().dataset.by === "units";
    var line = document.getElementById((byUnits ? "ch-" : "rh-") + (byUnits ? input.dataset.c : input.dataset.r));
    var unit = document.getElementById((byUnits ? "rh-" : "ch-") + (byUnits ? input.dataset.r : input.dataset.c));
    return {
      entry: button.id.slice(1),
      version: input.dataset.version,
      code: line ? line.dataset.code : "",
      max: line ? line.dataset.max : "",
      unit: unit ? unit.dataset.unit : "",
    };
  }

  function initOverride() {
    var modal = document.getElementById("override-modal");
    var form = document.getElementById("override-form");
    if (!modal || !form) return;
    document.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("#score-grid button.gp");
      if (button) window.bootstrap.Modal.getOrCreateInstance(modal).show(button);
    });
    modal.addEventListener("show.bs.modal", function (event) {
      var button = event.relatedTarget;
      if (!button) return;
      var info = badgeInfo(button);
      var grid = table();
      form.action = grid.dataset.overrideUrl.replace("__entry__", info.entry);
      form.dataset.entry = info.entry;
      form.elements.version.value = info.version;
      form.elements.override.value = button.dataset.override || "";
      form.elements.reason.value = button.dataset.reason || "";
      fill(form, "title", info.code + " · " + info.unit);
      fill(form, "points", button.textContent);
      fill(form, "max", info.max);
      form.querySelector('[data-o="errors"]').textContent = "";
      var history = form.querySelector('[data-o="history"]');
      if (history) history.href = history.dataset.url.replace("__entry__", info.entry);
    });
    modal.addEventListener("shown.bs.modal", function () {
      form.elements.override.focus();
      form.elements.override.select();
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var body = new FormData(form);
      body.append("by", table().dataset.by || "");
      var errors = form.querySelector('[data-o="errors"]');
      fetch(form.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "HX-Request": "true" },
      }).then(function (response) {
        return response.text().then(function (html) {
          if (response.status !== 200) {
            if (response.status === 409 || response.status === 422) {
              errors.innerHTML = "";
              htmx.swap(errors, html, { swapStyle: "innerHTML" });
            } else {
              errors.textContent = message("msgForbidden");
            }
            return;
          }
          var badge = document.getElementById("p" + form.dataset.entry);
          var td = badge && badge.closest("td");
          if (td) replace(td, html);
          var fresh = document.getElementById("p" + form.dataset.entry);
          var cell = fresh && fresh.closest("td");
          var freshInput = cell && cell.querySelector("input.gi");
          if (freshInput) {
            entryInputs(form.dataset.entry).forEach(function (i) {
              i.dataset.version = freshInput.dataset.version;
            });
          }
          window.bootstrap.Modal.getOrCreateInstance(modal).hide();
        });
      }).catch(function () {
        errors.textContent = message("msgFailed");
      });
    });
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target && event.target.id === "grid-card") initPopovers(event.target);
  });

  document.addEventListener("DOMContentLoaded", function () {
    initPopovers(document.getElementById("grid-card"));
    initOverride();
  });
})();
