// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button");
  if (button) { setTimeout(function () { button.disabled = true; }, 0); }
});
document.addEventListener("change", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
});
// The worklist from the keyboard: j / k move between customers, x ticks one, Enter opens it.
(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr.work-item"));
  var all = document.getElementById("tick-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input.tick").forEach(function (box) { box.checked = all.checked; });
    });
  }
  if (!rows.length) { return; }
  document.addEventListener("keydown", function (event) {
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey || event.metaKey || event.altKey) { return; }
    var at = rows.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "k") {
      var next = event.key === "j" ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
      rows[at < 0 ? 0 : next].focus();
      event.preventDefault();
    } else if (event.key === "x" && at >= 0) {
      var box = rows[at].querySelector("input.tick");
      if (box) { box.checked = !box.checked; }
      event.preventDefault();
    } else if (event.key === "Enter" && at >= 0) {
      var link = rows[at].querySelector("a.open");
      if (link) { window.location.href = link.href; }
    }
  });
})();
// The menu's groups: opening one closes the others; Escape or a click elsewhere closes them.
(function () {
  var groups = Array.prototype.slice.call(document.querySelectorAll("header details"));
  function close(except) { groups.forEach(function (g) { if (g !== except) { g.open = false; } }); }
  groups.forEach(function (g) { g.addEventListener("toggle", function () { if (g.open) { close(g); } }); });
  document.addEventListener("click", function (event) { if (!event.target.closest("header details")) { close(null); } });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = groups.filter(function (g) { return g.open; });
    close(null);
    if (open.length) { open[0].querySelector("summary").focus(); }
  });
})();
