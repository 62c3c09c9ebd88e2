// Live results: subscribe to the question's topic with anode.js and update
// the counts whenever anyone votes, without reloading the page.
//
// The page carries what the script needs in data attributes:
//   <section id="results" data-topic="poll:7" data-api="/api/polls/7/results/">
//   <li data-choice="12"> … <span class="votes">3</span> … <progress> …
"use strict";
(function () {
  var root = document.getElementById("results");
  if (!root || !window.Anode) return;
  var status = document.getElementById("live");
  var total = root.querySelector(".total-votes");

  function plural(n, one, many) { return n === 1 ? one : many; }

  // apply shows a Results payload (from a published message or the JSON
  // endpoint). Votes only ever grow, so a count lower than the one shown is
  // an older snapshot overtaken by a newer one (two votes published at
  // nearly the same time) and is ignored.
  function apply(res) {
    var sum = 0;
    var rows = root.querySelectorAll("[data-choice]");
    res.choices.forEach(function (c) {
      var li = root.querySelector('[data-choice="' + c.id + '"]');
      if (!li) return;
      var shown = Number(li.dataset.votes);
      if (c.votes > shown) {
        li.dataset.votes = String(c.votes);
        li.querySelector(".votes").textContent = String(c.votes);
        li.querySelector(".unit").textContent = plural(c.votes, "vote", "votes");
        li.classList.add("bumped");
        setTimeout(function () { li.classList.remove("bumped"); }, 1200);
      }
    });
    rows.forEach(function (li) { sum += Number(li.dataset.votes); });
    rows.forEach(function (li) {
      var v = Number(li.dataset.votes);
      var bar = li.querySelector("progress");
      bar.max = Math.max(sum, 1);
      bar.value = v;
      var pct = sum ? Math.floor((v * 100) / sum) : 0;
      li.querySelector(".percent").textContent = pct + "%";
      bar.textContent = pct + "%";
    });
    total.textContent = sum + " " + plural(sum, "vote", "votes");
  }

  // reload fetches the whole results when live messages were missed and
  // could not be recovered (the subscription's reset).
  function reload() {
    fetch(root.dataset.api, {headers: {Accept: "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (res) { if (res) apply(res); })
      .catch(function () {});
  }

  var rt = new Anode.Realtime({
    onState: function (state) {
      if (!status) return;
      status.dataset.state = state;
      status.textContent = state === "open" ? "Live" : state === "connecting" ? "Connecting…" : "Offline";
    },
  });
  var sub = rt.subscribe(root.dataset.topic, {message: apply, reset: reload});
  // Votes counted between rendering the page and subscribing were
  // published to nobody here: read the results once the subscription holds.
  sub.ready.then(function () {
    root.dataset.subscribed = "true"; // for tests: live updates reach this page from now on
    reload();
  }, function () {});
})();
