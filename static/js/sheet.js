// The score sheet page: a file chosen in an evidence form is uploaded at once (printing and
// confirmations come from app.js). No inline scripts: the content security policy forbids them.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (input.matches && input.matches("input[type=file][data-autoupload]") && input.files.length) {
      input.form.requestSubmit();
    }
  });
})();
