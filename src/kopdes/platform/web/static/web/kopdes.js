// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (event) {
  // Disable the submit buttons of a form once it is sent, so a double tap posts once.
  var form = event.target;
  if (form.dataset.noDisable !== undefined) return;
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
      b.disabled = true;
    });
  }, 0);
});
