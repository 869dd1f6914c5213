/* The conversation guide: results that follow each answer, questions skipped as the
   answers change, and copying the summary. Progressive enhancement only: without this
   file the "Update results" button sends the form and the page comes back updated. */
(function () {
  "use strict";

  var doc = document;
  var form = doc.getElementById("guide-form");
  var results = doc.getElementById("guide-results");
  var status = doc.getElementById("guide-status");
  if (!form || !results || !status) return;

  var announceTimer = null;
  function announce(text) {
    // Emptied first, so the same words are read out again after the next change.
    status.textContent = "";
    window.clearTimeout(announceTimer);
    announceTimer = window.setTimeout(function () { status.textContent = text; }, 100);
  }

  /* 1. Errors: focus the summary, and take each link to its question's control. */
  var summary = doc.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href^='#']");
      if (!link) return;
      var target = doc.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!target || !/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) return;
      event.preventDefault();
      var question = target.closest("[data-question]") || target.closest(".field") || target;
      question.scrollIntoView();
      target.focus({ preventScroll: true });
    });
  }

  /* 2. Wording for "myself" or "someone else", as soon as "who" changes. */
  function applyAudience() {
    var chosen = form.querySelector("input[name='who']:checked");
    var key = chosen && chosen.value === "someone_else" ? "data-someone-else" : "data-myself";
    var nodes = form.querySelectorAll("[data-myself]");
    for (var i = 0; i < nodes.length; i++) nodes[i].textContent = nodes[i].getAttribute(key);
    // Answers offered to one audience only ("I don't know" is for someone else): shown for it alone,
    // and unticked when hidden, so a hidden answer is never sent.
    var audience = chosen ? chosen.value : "myself";
    var limited = form.querySelectorAll("[data-audience]");
    for (var j = 0; j < limited.length; j++) {
      var off = limited[j].getAttribute("data-audience") !== audience;
      limited[j].hidden = off;
      var input = limited[j].querySelector("input");
      if (off && input) input.checked = false;
    }
  }

  /* 3. Questions the answers skip: their answers are hidden (and not used) until they apply. */
  function applySkipped() {
    var panel = results.querySelector("[data-skipped]");
    if (!panel) return;
    var skipped = (panel.getAttribute("data-skipped") || "").split(" ");
    var questions = form.querySelectorAll("[data-question]");
    for (var i = 0; i < questions.length; i++) {
      var question = questions[i];
      var off = skipped.indexOf(question.getAttribute("data-question")) >= 0;
      question.classList.toggle("guide-q--skipped", off);
      var note = question.querySelector("[data-skip-note]");
      if (note) note.hidden = !off;
      var choices = question.querySelector("[data-choices]");
      if (choices) choices.hidden = off;
    }
  }

  function enhancePanel() {
    var buttons = results.querySelectorAll(".js-copy");
    for (var i = 0; i < buttons.length; i++) buttons[i].hidden = false;
  }

  /* 4. "None of these" style answers cannot be chosen with the others. */
  function keepExclusive(input) {
    if (input.type !== "checkbox" || !input.checked) return;
    var boxes = form.querySelectorAll("input[type='checkbox'][name='" + input.name + "']");
    var exclusive = input.hasAttribute("data-exclusive");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i] !== input && (exclusive || boxes[i].hasAttribute("data-exclusive"))) boxes[i].checked = false;
    }
  }

  /* 5. Live results: send the whole form to the fragment address and swap the panel in. */
  var sequence = 0;
  var refreshTimer = null;
  function refresh() {
    var mine = ++sequence;
    window.fetch(form.getAttribute("data-fragment"), {
      method: "POST",
      body: new window.FormData(form),
      credentials: "same-origin",
      headers: { Accept: "text/html" }
    }).then(function (response) {
      // A redirect here means the session ended: the button will take staff to sign in.
      if (!response.ok || response.redirected) throw new Error("not updated");
      return response.text();
    }).then(function (html) {
      if (mine !== sequence) return;
      results.innerHTML = html;
      applySkipped();
      enhancePanel();
      var crisis = results.querySelector("[data-crisis]");
      announce(crisis ? "Results updated. They said there is danger now: give the emergency number first." : "Results updated");
    }).catch(function () {
      if (mine === sequence) announce("The results could not be updated. Use the Update results button.");
    });
  }

  if (window.fetch && window.FormData) {
    form.addEventListener("change", function (event) {
      keepExclusive(event.target);
      if (event.target.name === "who") applyAudience();
      window.clearTimeout(refreshTimer);
      refreshTimer = window.setTimeout(refresh, 120);
    });
  } else {
    form.addEventListener("change", function (event) { keepExclusive(event.target); });
  }

  /* 6. Copy the case-notes summary. */
  function copied(ok) {
    announce(ok ? "Summary copied" : "Could not copy: select the summary and press Ctrl+C.");
  }
  results.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".js-copy");
    if (!button) return;
    var area = doc.getElementById(button.getAttribute("data-copy"));
    if (!area) return;
    function fallback() {
      area.focus();
      area.select();
      var ok = false;
      try { ok = doc.execCommand("copy"); } catch (error) { ok = false; }
      button.focus();
      copied(ok);
    }
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(area.value).then(function () { copied(true); }, fallback);
    } else {
      fallback();
    }
  });

  applySkipped();
  enhancePanel();
})();
