// The sheet's what-if mode ("Thử tính", templates/scoring/lead_panel.html): the switch shows the
// trial inputs and the figures they give; every change (or Enter) posts the trial inputs (fields
// of #what-if-form) to /sheets/<id>/what-if/ through htmx, whose answer fills #what-if-result
// (announced: aria-live) and each row's trial points (out of band). Nothing is saved: the saved
// inputs are hidden meanwhile, and a save they might still send is cancelled. The form carries
// no hx-post: a read-only sheet has no control that posts by itself.
(function () {
  "use strict";

  function setMode(on) {
    document.body.classList.toggle("what-if-on", on);
    document.querySelectorAll("[data-what-if]").forEach(function (element) {
      element.hidden = !on;
    });
    if (on) return;
    // Leaving the mode forgets the trial: the inputs show the saved values again.
    document.querySelectorAll(".what-if-field").forEach(function (field) {
      field.value = field.dataset.original || "";
    });
    var result = document.getElementById("what-if-result");
    if (result) result.textContent = "";
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-what-if-toggle]");
    if (!button) return;
    var on = button.getAttribute("aria-pressed") !== "true";
    button.setAttribute("aria-pressed", on ? "true" : "false");
    setMode(on);
  });

  function compute() {
    var form = document.querySelector("[data-what-if-form]");
    if (!form || !window.htmx) return;
    window.htmx.ajax("POST", form.getAttribute("action"), {
      source: form,
      target: "#what-if-result",
      swap: "innerHTML",
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".what-if-field")) compute();
  });

  document.addEventListener("submit", function (event) {
    if (!event.target.matches || !event.target.matches("[data-what-if-form]")) return;
    event.preventDefault();
    compute();
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var path = (event.detail.requestConfig && event.detail.requestConfig.path) || "";
    if (document.body.classList.contains("what-if-on") && /\/sheets\/\d+\/entries\/\d+\/$/.test(path)) {
      event.preventDefault();
    }
  });
})();
