/* Progressive enhancement only: every page works without this file. */
(function () {
  "use strict";

  var doc = document;
  var exitLink = doc.getElementById("quick-exit");

  function show(selector, visible) {
    var nodes = doc.querySelectorAll(selector);
    for (var i = 0; i < nodes.length; i++) nodes[i].hidden = !visible;
  }

  /* 0. Inside a partner's frame: talk only to the partner page that greeted us. */
  var body = doc.body;
  var framed = body.classList.contains("embedded") && window.parent !== window;
  var parentOrigin = null;
  function tellParent(message) {
    if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  }
  function sendHeight() {
    tellParent({ type: "wizard:height", height: Math.ceil(body.getBoundingClientRect().height) });
  }
  if (framed) {
    var allowed = (body.getAttribute("data-embed-origins") || "").split(" ");
    window.addEventListener("message", function (event) {
      if (event.source !== window.parent || allowed.indexOf(event.origin) < 0) return;
      if (event.data && event.data.type === "wizard:hello") {
        parentOrigin = event.origin;
        sendHeight();
      }
    });
    if (window.ResizeObserver) new ResizeObserver(sendHeight).observe(body);
  }

  /* 1. Quick exit: replace() keeps this site out of the Back button.
     In a frame the partner's whole page must leave, not just the frame. But the
     answers there are in a partitioned cookie that only the frame's own requests
     carry (a top-level request cannot delete it), so the frame asks for the exit
     itself first. The person must leave quickly whatever the network does: the
     page goes blank at once, and after EXIT_WAIT_MS at most they leave anyway. */
  var EXIT_WAIT_MS = 800;
  var leaving = false;

  function forgetHere(href, then) {
    var done = false;
    function next() {
      if (done) return;
      done = true;
      then();
    }
    if (!window.fetch) return next();
    var controller = window.AbortController ? new AbortController() : null;
    window.setTimeout(function () {
      if (controller) controller.abort();
      next();
    }, EXIT_WAIT_MS);
    /* redirect "manual": only this site's answer matters (it deletes the cookie); the
       partner's exit page is for the whole window, not for this request. */
    fetch(href, { credentials: "include", redirect: "manual", signal: controller ? controller.signal : undefined })
      .then(next, next);
  }

  function leave(event) {
    if (event) event.preventDefault();
    if (leaving) return;
    leaving = true;
    body.style.visibility = "hidden";
    var href = exitLink ? exitLink.href : "/exit";
    if (!framed) {
      window.location.replace(href);
      return;
    }
    forgetHere(href, function () {
      if (parentOrigin) {
        tellParent({ type: "wizard:exit", url: body.getAttribute("data-exit-url") });
      } else if (!window.open(href, "_top")) {
        /* The browser refused to move the partner's page: at least this frame leaves. */
        window.location.replace(href);
      }
    });
  }

  if (exitLink) exitLink.addEventListener("click", leave);

  var shiftTimes = [];
  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Shift") {
      shiftTimes = [];
      return;
    }
    if (event.repeat) return;
    var now = Date.now();
    shiftTimes.push(now);
    shiftTimes = shiftTimes.filter(function (t) { return now - t < 1000; });
    if (shiftTimes.length >= 3) leave();
  });
  show(".exit-tip", true);

  /* 2. Print: a real button, and every <details> open on paper. */
  show(".js-print", true);
  show(".no-js-print", false);
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-print");
    if (button) window.print();
  });

  var reopened = [];
  window.addEventListener("beforeprint", function () {
    var all = doc.querySelectorAll("details:not([open])");
    for (var i = 0; i < all.length; i++) {
      all[i].open = true;
      reopened.push(all[i]);
    }
  });
  window.addEventListener("afterprint", function () {
    while (reopened.length) reopened.pop().open = false;
  });

  /* 3. A share link: a Copy button, and the whole link selected when the field is used. */
  show(".js-copy", true);
  function selectAll(input) {
    input.focus();
    input.setSelectionRange(0, input.value.length);
  }
  doc.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("share-link__input")) selectAll(event.target);
  });
  doc.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-copy");
    if (!button) return;
    var input = doc.getElementById(button.getAttribute("data-copy"));
    var status = button.parentNode.querySelector("[role='status']");
    if (!input) return;
    function done() {
      if (status) status.textContent = button.getAttribute("data-copied");
    }
    function fallback() {
      selectAll(input);
      try {
        if (doc.execCommand("copy")) done();
      } catch (error) { /* the link stays selected, ready to copy by hand */ }
    }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, fallback);
    } else {
      fallback();
    }
  });

  /* 4. Errors: announce the summary, and link each error to its question. */
  var summary = doc.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      if (!link) return;
      var input = doc.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!input || !/^(INPUT|SELECT|TEXTAREA)$/.test(input.tagName)) return;
      event.preventDefault();
      var fieldset = input.closest("fieldset");
      var legend = fieldset && fieldset.querySelector("legend");
      var label = doc.querySelector("label[for='" + input.id + "']");
      (legend || label || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  /* 5. "None of these" style answers cannot be chosen with the others. */
  doc.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) return;
    var group = input.closest("fieldset") || input.form;
    if (!group) return;
    var boxes = group.querySelectorAll("input[type='checkbox']");
    var exclusive = input.hasAttribute("data-exclusive");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box !== input && box.name === input.name && (exclusive || box.hasAttribute("data-exclusive"))) {
        box.checked = false;
      }
    }
  });

  /* 6. One-page form: choosing "Yes, there is danger now" shows the crisis box under the question at once. */
  var crisisBoxes = doc.querySelectorAll("[data-crisis-box]");
  for (var b = 0; b < crisisBoxes.length; b++) {
    var box = crisisBoxes[b];
    var danger = box.closest("fieldset").querySelector("input[value='danger_now']");
    box.hidden = !(danger && danger.checked);
    box.setAttribute("role", "alert");
  }
  doc.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "radio") return;
    var group = input.closest("fieldset");
    var crisisBox = group && group.querySelector("[data-crisis-box]");
    if (crisisBox) crisisBox.hidden = input.value !== "danger_now";
  });
})();
