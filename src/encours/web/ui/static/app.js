// Small progressive enhancements; every page works without JavaScript.
document.addEventListener("submit", function (event) {
  var button = event.target.querySelector("button");
  if (button) { setTimeout(function () { button.disabled = true; }, 0); }
});
document.addEventListener("change", function (event) {
  if (event.target.hasAttribute && event.target.hasAttribute("data-autosubmit")) { event.target.form.submit(); }
});
