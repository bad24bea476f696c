// claimwatch dashboard: review in place and keyboard shortcuts. Everything
// also works without this script (forms post and redirect back).
(function () {
  "use strict";

  var live = document.createElement("p");
  live.className = "visually-hidden";
  live.setAttribute("role", "status");
  live.id = "live";
  document.addEventListener("DOMContentLoaded", function () {
    document.body.appendChild(live);
    var close = document.getElementById("help-close");
    if (close) close.addEventListener("click", toggleHelp);
  });

  function review(form, stance) {
    var body = new URLSearchParams(new FormData(form));
    body.set("stance", stance);
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (resp) {
      if (!resp.ok) throw new Error("the server answered " + resp.status);
      return resp.json();
    }).then(function (res) {
      var item = form.closest(".ev");
      var analyst = item.querySelector("[data-role=analyst]");
      analyst.textContent = res.stance;
      analyst.className = "stance " + res.stance;
      var by = item.querySelector("[data-role=author]");
      if (!by) {
        by = document.createElement("span");
        by.className = "by";
        by.setAttribute("data-role", "author");
        analyst.after(" ", by);
      }
      by.textContent = "by " + res.author;
      ["supports", "contradicts", "mentions", "stories", "outlets"].forEach(function (k) {
        var dd = document.querySelector("[data-count=" + k + "]");
        if (dd) dd.textContent = res[k];
      });
      item.classList.add("reviewed");
      live.textContent = "Evidence " + res.evidence_id + " reviewed as " + res.stance + ".";
    }).catch(function (err) {
      live.textContent = "The review was not saved: " + err.message + ". Try again, or reload the page.";
      form.submit();
    });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("review")) return;
    var btn = e.submitter;
    if (!btn || !btn.value) return;
    e.preventDefault();
    review(form, btn.value);
  });

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".ev")); }

  function current() {
    var el = document.activeElement;
    return el && el.closest ? el.closest(".ev") : null;
  }

  function move(step) {
    var list = items();
    if (!list.length) return;
    var i = list.indexOf(current());
    i = i < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, i + step));
    list[i].focus();
    list[i].scrollIntoView({ block: "nearest" });
  }

  function toggleHelp() {
    var help = document.getElementById("help");
    if (help) help.hidden = !help.hidden;
  }

  var keys = { s: "supports", c: "contradicts", m: "mentions", i: "irrelevant" };

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) return;
    if (e.key === "j") { move(1); e.preventDefault(); }
    else if (e.key === "k") { move(-1); e.preventDefault(); }
    else if (e.key === "?") { toggleHelp(); e.preventDefault(); }
    else if (e.key === "Escape") { var h = document.getElementById("help"); if (h) h.hidden = true; }
    else if (keys[e.key]) {
      var item = current();
      if (!item) return;
      var form = item.querySelector("form.review");
      if (form) { review(form, keys[e.key]); e.preventDefault(); }
    }
  });
})();
