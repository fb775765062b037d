// The project's own behaviour. No inline scripts: the content security policy forbids them.
(function () {
  "use strict";
  // Forms marked data-autosubmit submit when one of their selects changes (language switch).
  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest("form[data-autosubmit]");
    if (form && event.target.tagName === "SELECT") {
      form.submit();
    }
  });
})();
