// snap.js of the Midtrans emulator: window.snap.pay, embed, show and hide,
// as documented at https://docs.midtrans.com/reference/snap-js. The hosted
// page runs in an iframe and reports its outcome with postMessage; callbacks
// receive Midtrans' result objects.
(function () {
  "use strict";
  var me = document.currentScript;
  var origin = me ? new URL(me.src, window.location.href).origin : window.location.origin;
  var current = null; // {options, frame, overlay, host}
  var loader = null;

  function pageURL(token) {
    return origin + "/snap/v4/redirection/" + encodeURIComponent(token) + "?embed=1";
  }

  function makeFrame(token) {
    var f = document.createElement("iframe");
    f.src = pageURL(token);
    f.title = "Midtrans Snap";
    f.id = "snap-midtrans";
    f.style.border = "0";
    f.style.width = "100%";
    f.style.height = "100%";
    f.style.background = "#fff";
    return f;
  }

  function teardown() {
    if (!current) { return; }
    if (current.overlay && current.overlay.parentNode) { current.overlay.parentNode.removeChild(current.overlay); }
    if (current.host && current.frame && current.frame.parentNode) { current.frame.parentNode.removeChild(current.frame); }
    current = null;
  }

  function call(options, name, result) {
    var fn = options && options[name];
    if (typeof fn === "function") { fn(result); return; }
    if (result && result.finish_redirect_url) { window.location.assign(result.finish_redirect_url); }
  }

  window.addEventListener("message", function (ev) {
    if (ev.origin !== origin || !current || !ev.data || ev.data.source !== "midtrans-snap") { return; }
    if (current.frame && ev.source !== current.frame.contentWindow) { return; }
    var options = current.options, d = ev.data;
    teardown();
    if (d.event === "close") {
      if (options && typeof options.onClose === "function") { options.onClose(); }
      return;
    }
    var name = d.event === "success" ? "onSuccess" : d.event === "pending" ? "onPending" : "onError";
    call(options, name, d.result);
  });

  function busy(token) {
    if (current) {
      throw new Error("snap.pay is not allowed to be called in this state. Invalid state transition from PopupInView to PopupInView");
    }
    if (typeof token !== "string" || token === "") { throw new Error("snap token is required"); }
  }

  function pay(token, options) {
    busy(token);
    hide();
    options = options || {};
    var overlay = document.createElement("div");
    overlay.id = "snap-midtrans-overlay";
    var s = overlay.style;
    s.position = "fixed"; s.left = "0"; s.top = "0"; s.right = "0"; s.bottom = "0";
    s.background = "rgba(0,0,0,.5)"; s.zIndex = "2147483646"; s.display = "flex";
    s.alignItems = "center"; s.justifyContent = "center";
    var box = document.createElement("div");
    box.style.position = "relative"; box.style.width = "min(420px, 100%)"; box.style.height = "min(640px, 100%)";
    var close = document.createElement("button");
    close.type = "button"; close.id = "snap-midtrans-close"; close.textContent = "\u00d7";
    close.setAttribute("aria-label", "Close");
    close.style.position = "absolute"; close.style.right = "4px"; close.style.top = "4px"; close.style.zIndex = "1";
    close.addEventListener("click", function () {
      var o = current && current.options;
      teardown();
      if (o && typeof o.onClose === "function") { o.onClose(); }
    });
    var frame = makeFrame(token);
    box.appendChild(close);
    box.appendChild(frame);
    overlay.appendChild(box);
    document.body.appendChild(overlay);
    current = { options: options, frame: frame, overlay: overlay };
  }

  function embed(token, options) {
    busy(token);
    hide();
    options = options || {};
    var host = document.getElementById(options.embedId);
    if (!host) { throw new Error("embedId element not found: " + options.embedId); }
    var frame = makeFrame(token);
    frame.style.minHeight = "560px";
    host.appendChild(frame);
    current = { options: options, frame: frame, host: host };
  }

  function show() {
    if (loader) { return; }
    loader = document.createElement("div");
    loader.id = "snap-midtrans-loading";
    loader.textContent = "Loading\u2026";
    var s = loader.style;
    s.position = "fixed"; s.left = "0"; s.top = "0"; s.right = "0"; s.bottom = "0"; s.zIndex = "2147483647";
    s.background = "rgba(255,255,255,.8)"; s.display = "flex"; s.alignItems = "center"; s.justifyContent = "center";
    document.body.appendChild(loader);
  }

  function hide() {
    if (loader && loader.parentNode) { loader.parentNode.removeChild(loader); }
    loader = null;
  }

  window.snap = { pay: pay, embed: embed, show: show, hide: hide };
})();
