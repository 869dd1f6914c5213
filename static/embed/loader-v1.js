/* Find recovery support: embed loader, version 1.
   Paste on your page:
     <div data-partner="YOUR-ID"></div>
     <script src="https://WIZARD-HOST/embed/v1/loader.js" async></script>
   It adds the wizard in an iframe, keeps the iframe as tall as its content,
   and, when the visitor chooses "Leave this site", takes the whole page away. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var origin = new URL(script.src).origin;

  function embed(node) {
    if (node.getAttribute("data-wizard-ready")) return;
    var partner = node.getAttribute("data-partner") || "";
    if (!/^[a-z0-9][a-z0-9-]{1,40}$/.test(partner)) return;
    node.setAttribute("data-wizard-ready", "1");
    var lang = node.getAttribute("data-lang");
    var frame = document.createElement("iframe");
    frame.src = origin + "/embed/" + partner + "/" + (lang ? "?lang=" + encodeURIComponent(lang) : "");
    frame.title = node.getAttribute("data-title") || "Find recovery support";
    frame.style.width = "100%";
    frame.style.border = "0";
    frame.style.height = "640px";
    frame.style.display = "block";
    node.appendChild(frame);

    /* Every page in the frame is greeted, and only then answers: both sides
       check who they are talking to. */
    frame.addEventListener("load", function () {
      frame.contentWindow.postMessage({ type: "wizard:hello" }, origin);
    });
    window.addEventListener("message", function (event) {
      if (event.origin !== origin || event.source !== frame.contentWindow) return;
      var data = event.data || {};
      if (data.type === "wizard:height" && typeof data.height === "number") {
        frame.style.height = Math.max(320, Math.min(data.height, 30000)) + "px";
      } else if (data.type === "wizard:exit" && /^https?:\/\//.test(String(data.url))) {
        document.body.style.visibility = "hidden";
        window.location.replace(data.url);
      }
    });
  }

  var nodes = document.querySelectorAll("[data-partner]");
  for (var i = 0; i < nodes.length; i++) embed(nodes[i]);
})();
