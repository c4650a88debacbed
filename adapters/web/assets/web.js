// Progressive enhancement only: every page works without this file.
// The root element's "js" class says the script ran (styles and tests
// can tell the two kinds of page apart).
document.documentElement.classList.add("js");
// A form's submit button is disabled once the form is sent, so a
// double click does not send an action (a payment, a plan change) twice.
document.addEventListener("submit", function (ev) {
  var form = ev.target;
  if (!(form instanceof HTMLFormElement)) { return; }
  var buttons = form.querySelectorAll("button[type=submit]");
  window.setTimeout(function () {
    buttons.forEach(function (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); });
  }, 0);
});
