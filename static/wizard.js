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
  /* The Shift tip only where there is a keyboard to press it on: a mouse or trackpad is the best sign
     of one. On a phone the page says "tap 'Leave this site'" instead (wizard.css). */
  var finePointer = window.matchMedia && window.matchMedia("(hover: hover) and (pointer: fine)").matches;
  show(".exit-tip--keys", finePointer);

  /* 1b. The language list closes with Escape, or a tap elsewhere, as a menu would. */
  var languages = doc.querySelector("details.languages");
  if (languages) {
    doc.addEventListener("keydown", function (event) {
      if ((event.key === "Escape" || event.key === "Esc") && languages.open) {
        languages.open = false;
        languages.querySelector("summary").focus();
      }
    });
    doc.addEventListener("click", function (event) {
      if (languages.open && !languages.contains(event.target)) languages.open = false;
    });
  }

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

  /* 5. "None of these" style answers cannot be chosen with the others. A screen reader hears what was
     unticked (a polite message in the page's live region), so nothing changes without a word. */
  var announcer = doc.getElementById("announce");
  function labelOf(box) {
    var label = doc.querySelector("label[for='" + box.id + "']");
    return (label ? label.textContent : box.value).trim();
  }
  doc.addEventListener("change", function (event) {
    var input = event.target;
    if (input.type !== "checkbox" || !input.checked) return;
    var group = input.closest("fieldset") || input.form;
    if (!group) return;
    var boxes = group.querySelectorAll("input[type='checkbox']");
    var exclusive = input.hasAttribute("data-exclusive");
    var unticked = [];
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box !== input && box.name === input.name && (exclusive || box.hasAttribute("data-exclusive"))) {
        if (box.checked) unticked.push(labelOf(box));
        box.checked = false;
      }
    }
    if (unticked.length && announcer) {
      announcer.textContent = announcer.getAttribute("data-unticked").replace("{answers}", unticked.join(", "));
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

  /* 7. Town field: suggestions as the person types (the ARIA 1.2 combobox pattern). The text goes in
     a POST body with the form's token, never in an address. Without this, the server looks the
     typed name up when the form is sent. */
  var townBoxes = doc.querySelectorAll("[data-town-suggest]");
  for (var t = 0; t < townBoxes.length; t++) setUpTown(townBoxes[t]);

  function setUpTown(box) {
    var input = box.querySelector("input[type='text']");
    var form = box.closest("form");
    var tokenField = form && form.querySelector("input[name='csrf_token']");
    if (!input || !tokenField || !window.fetch) return;
    var url = box.getAttribute("data-town-suggest");
    var listId = input.id + "-listbox";
    var list = doc.createElement("ul");
    list.id = listId;
    list.className = "town__list";
    list.setAttribute("role", "listbox");
    var label = doc.querySelector("label[for='" + input.id + "']");
    if (label) {
      if (!label.id) label.id = input.id + "-label";
      list.setAttribute("aria-labelledby", label.id);
    }
    list.hidden = true;
    var status = doc.createElement("div");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    var picked = box.querySelector("[data-town-pick]") || doc.createElement("input");
    picked.type = "hidden";
    picked.name = input.name;
    box.appendChild(list);
    box.appendChild(status);
    box.appendChild(picked);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function announce(text) {
      status.textContent = text;
    }
    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }
    function highlight(index) {
      for (var i = 0; i < options.length; i++) options[i].setAttribute("aria-selected", i === index ? "true" : "false");
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    }
    function choose(option) {
      input.value = option.getAttribute("data-name");
      picked.value = "#" + option.getAttribute("data-id");
      close();
      announce(option.textContent);
    }
    function show(suggestions) {
      list.textContent = "";
      options = [];
      for (var i = 0; i < suggestions.length; i++) {
        var item = doc.createElement("li");
        item.id = listId + "-" + i;
        item.className = "town__option";
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-id", suggestions[i].id);
        item.setAttribute("data-name", suggestions[i].name);
        item.textContent = suggestions[i].label;
        list.appendChild(item);
        options.push(item);
      }
      active = -1;
      input.removeAttribute("aria-activedescendant");
      var count = suggestions.length;
      list.hidden = count === 0;
      input.setAttribute("aria-expanded", count ? "true" : "false");
      announce(count ? box.getAttribute("data-count-text").replace("{count}", String(count)) : box.getAttribute("data-none-text"));
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      var mine = ++asked;
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ text: text, csrf_token: tokenField.value })
      })
        .then(function (response) {
          return response.ok ? response.json() : { suggestions: [] };
        })
        .then(function (data) {
          if (mine === asked && doc.activeElement === input) show(data.suggestions || []);
        })
        .catch(function () {
          /* No suggestions: the form still works, the server looks the name up. */
        });
    }

    input.addEventListener("input", function () {
      picked.value = "";
      window.clearTimeout(timer);
      timer = window.setTimeout(ask, 250);
    });
    input.addEventListener("keydown", function (event) {
      var open = !list.hidden && options.length > 0;
      if (event.key === "ArrowDown" || event.key === "Down") {
        event.preventDefault();
        if (!open) {
          if (options.length) {
            list.hidden = false;
            input.setAttribute("aria-expanded", "true");
            highlight(0);
          } else {
            ask();
          }
          return;
        }
        highlight(active + 1 < options.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" || event.key === "Up") {
        if (!open) return;
        event.preventDefault();
        highlight(active > 0 ? active - 1 : options.length - 1);
      } else if (event.key === "Enter") {
        if (open && active >= 0) {
          event.preventDefault();
          choose(options[active]);
        }
      } else if (event.key === "Escape" || event.key === "Esc") {
        if (open) {
          event.preventDefault();
          close();
        }
      }
    });
    input.addEventListener("blur", function () {
      window.setTimeout(close, 150);
    });
    /* mousedown, not click: the field keeps its focus, so the list is still there to pick from. */
    list.addEventListener("mousedown", function (event) {
      var option = event.target.closest("[role='option']");
      if (!option) return;
      event.preventDefault();
      choose(option);
    });
  }
})();
