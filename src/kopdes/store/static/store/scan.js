// A USB barcode scanner types the code and then Enter. In a field marked
// data-scan-field, that Enter must not submit the form half filled: it moves on to the
// next field instead, as Tab would.
document.addEventListener("keydown", function (event) {
  var field = event.target;
  if (event.key !== "Enter" || !field.matches || !field.matches("[data-scan-field]")) {
    return;
  }
  event.preventDefault();
  var form = field.form;
  if (!form) { return; }
  var fields = Array.prototype.filter.call(form.elements, function (el) {
    return !el.disabled && el.type !== "hidden" && el.tabIndex >= 0;
  });
  var next = fields[fields.indexOf(field) + 1];
  if (next) { next.focus(); }
});
