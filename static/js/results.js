// Rankings and the campaign overview. No inline scripts: the content security policy forbids them.
(function () {
  "use strict";
  // Buttons marked data-print print the page (the print stylesheet hides the navigation).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
  // Forms marked data-confirm ask before they are sent (moving a campaign's phase).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var message = form.getAttribute && form.getAttribute("data-confirm");
    if (message && !window.confirm(message)) {
      event.preventDefault();
    }
  });
})();
