// Small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";

  // Disable the submit buttons of a form once it is sent, so a double tap posts once.
  // (After the event: the pressed button's name/value is already in the form data.)
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset.noDisable !== undefined) return;
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Coming back with the browser's Back button restores the page from memory, buttons
  // still disabled: enable them again so the officer is never stuck.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("button[disabled], input[type=submit][disabled]").forEach(function (b) {
      if (b.dataset.keepDisabled === undefined) b.disabled = false;
    });
  });
})();
