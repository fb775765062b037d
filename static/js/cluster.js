// The cluster page and its signing forms: print buttons and confirmations (no inline scripts).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    var submitter = event.submitter;
    if (submitter && submitter.getAttribute("data-confirm")) {
      question = submitter.getAttribute("data-confirm");
    }
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
})();
