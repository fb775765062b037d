// Saves the network lost (issue 18 point 4), shared by the sheet (sheet.js) and the grid
// (grid.js). A save whose request never got an answer (no connection, a timeout, a gateway
// that could not reach the application) stays in the page as pending: it is sent again after
// 1, 2, 4 … 30 seconds (at once when the browser says it is back online), with the entry's
// version it was made on, until it lands or is refused. Refusals (4xx) are not retried: the
// page shows them as before. While anything is pending, every element marked
// data-save-status says how many, and leaving the page asks first.
//
// window.ThiduaPending.lost(key, retry): the save `key` (one per entry) did not get through;
//   `retry()` sends it again (and calls lost() again or settle() with its outcome).
// window.ThiduaPending.settle(key): the save landed or was refused: no longer pending.
(function () {
  "use strict";

  var FIRST = 1000; // milliseconds before the first retry
  var LONGEST = 30000;
  var items = {}; // key -> { retry, attempt, timer }

  function count() {
    return Object.keys(items).length;
  }

  function render() {
    var n = count();
    document.querySelectorAll("[data-save-status]").forEach(function (status) {
      var text = "";
      if (n === 1) text = status.dataset.msgOne || "";
      if (n > 1) text = (status.dataset.msgOther || "").replace("__n__", String(n));
      if (status.textContent !== text) status.textContent = text;
      var bar = status.closest("[data-save-bar]");
      if (bar) bar.classList.toggle("has-pending", n > 0);
    });
  }

  function run(key) {
    var item = items[key];
    if (!item) return;
    window.clearTimeout(item.timer);
    item.timer = null;
    item.retry();
  }

  function lost(key, retry) {
    var item = items[key] || (items[key] = { attempt: 0, timer: null });
    item.retry = retry;
    window.clearTimeout(item.timer);
    // Doubling, with a little jitter so that many pages do not all come back at once.
    var delay = Math.min(LONGEST, FIRST * Math.pow(2, item.attempt)) * (0.8 + Math.random() * 0.4);
    item.attempt += 1;
    item.timer = window.setTimeout(function () { run(key); }, delay);
    render();
  }

  function settle(key) {
    var item = items[key];
    if (!item) return;
    window.clearTimeout(item.timer);
    delete items[key];
    render();
  }

  window.addEventListener("online", function () {
    Object.keys(items).forEach(run);
  });

  window.addEventListener("beforeunload", function (event) {
    if (count() > 0) {
      event.preventDefault();
      event.returnValue = ""; // the browser asks in its own words
    }
  });

  window.ThiduaPending = {
    lost: lost,
    settle: settle,
    count: count,
    // Send every pending save now (the sheet's what-if mode held them back while it was on).
    retryAll: function () { Object.keys(items).forEach(run); },
    has: function (key) { return Object.prototype.hasOwnProperty.call(items, key); },
    attempts: function (key) { return items[key] ? items[key].attempt : 0; },
    // A gateway's answer when it could not reach the application: the save never arrived.
    unreachable: function (status) { return status === 0 || status === 502 || status === 503 || status === 504; },
  };
})();
