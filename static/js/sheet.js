// The score sheet page: confirmations, printing and uploading a chosen file at once.
// No inline scripts: the content security policy forbids them.
(function () {
  "use strict";
  // Plain forms marked data-confirm ask before they are sent (htmx forms use hx-confirm).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-print]")) {
      window.print();
    }
  });
  // A file chosen in an evidence form is uploaded at once.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-autoupload]") && input.files.length) {
      input.form.requestSubmit();
    }
  });
})();
