// The hosted Snap page's behaviour with JavaScript: follow the payment while
// it is pending, report the outcome to snap.js when embedded, and go back to
// the merchant when the payment is done. Without it the page's plain forms
// and links do the same.
(function () {
  "use strict";
  var body = document.body;
  var embedded = body.getAttribute("data-embed") === "1" && window.parent !== window;
  var event = body.getAttribute("data-event");
  if (embedded && event) {
    var result = {};
    try { result = JSON.parse(body.getAttribute("data-result") || "{}"); } catch (e) { result = {}; }
    window.parent.postMessage({ source: "midtrans-snap", event: event, result: result }, "*");
    return;
  }
  var redirect = body.getAttribute("data-redirect");
  if (redirect && /^https?:/i.test(redirect)) {
    window.setTimeout(function () { window.location.assign(redirect); }, 600);
    return;
  }
  var poll = body.getAttribute("data-poll");
  if (!poll) { return; }
  var phase = body.getAttribute("data-phase");
  var timer = window.setInterval(function () {
    fetch(poll, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && s.phase && s.phase !== phase) {
          window.clearInterval(timer);
          window.location.reload();
        }
      })
      .catch(function () {});
  }, 1500);
})();
