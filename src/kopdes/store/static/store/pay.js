// The payment page: as the kasir types the amounts of each method, show what is paid,
// what remains and the change (cash only). The server checks everything again.
(function () {
  function sen(text) {
    // Indonesian notation: dots group thousands, a comma starts the sen ("Rp 1.500,50").
    var t = String(text || "").replace(/^\s*(rp|idr)\s*/i, "").trim();
    if (!/^[0-9.]*(,[0-9]{1,2})?$/.test(t) || t === "") { return null; }
    var parts = t.split(",");
    var rupiah = parseInt(parts[0].replace(/\./g, "") || "0", 10);
    var cents = parts[1] ? parseInt((parts[1] + "0").slice(0, 2), 10) : 0;
    return rupiah * 100 + cents;
  }
  function rupiah(value) {
    var whole = Math.floor(value / 100), cents = value % 100;
    var text = "Rp " + String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ".");
    return cents ? text + "," + String(cents).padStart(2, "0") : text;
  }
  function update(box) {
    var total = parseInt(box.getAttribute("data-pay-total"), 10) || 0;
    var cash = 0, other = 0;
    box.querySelectorAll("[data-pay-method]").forEach(function (input) {
      var v = sen(input.value);
      if (v === null) { return; }
      if (input.getAttribute("data-pay-method") === "cash") { cash += v; } else { other += v; }
    });
    var paid = cash + other;
    var out = function (name, value) {
      var el = box.querySelector('[data-pay-out="' + name + '"]');
      if (el) { el.textContent = rupiah(value); }
    };
    out("paid", paid);
    out("remaining", Math.max(total - paid, 0));
    out("change", Math.max(cash - Math.max(total - other, 0), 0));
  }
  document.addEventListener("input", function (event) {
    var box = event.target.closest && event.target.closest("[data-pay-total]");
    if (box) { update(box); }
  });
})();
