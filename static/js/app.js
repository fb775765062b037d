// The project's own behaviour shared by every page. No inline scripts: the content security
// policy forbids them, so pages mark elements with data-* attributes instead.
(function () {
  "use strict";
  // Forms marked data-autosubmit submit when one of their selects changes (language switch).
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.submit();
    }
  });
  // Buttons marked data-print print the page (the print stylesheet hides the navigation).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  // Plain forms (or their submit buttons) marked data-confirm ask before they are sent;
  // htmx forms use hx-confirm.
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
