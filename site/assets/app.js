/* evident report: filters for the action list.
   Plain JavaScript, no dependencies, works from file://. Each row carries its
   action's category, type and solution, and in data-pairs the regulation,
   group, test status and owner of each assessment that lists the action: a
   row stays visible when one of its assessments matches every filter (as
   `evident list actions` does). The filters live in the URL hash, so a
   filtered view can be bookmarked and shared. */
(function () {
  "use strict";

  // Filters on the action itself, by data-* attribute.
  var ROW_KEYS = { category: "data-category", type: "data-type", solution: "data-solution" };
  // Filters on its assessments, by key in data-pairs.
  var PAIR_KEYS = { regulation: "r", group: "g", test: "t", owner: "o" };

  function readPairs(row) {
    try {
      var pairs = JSON.parse(row.getAttribute("data-pairs") || "[]");
      return Array.isArray(pairs) ? pairs : [];
    } catch (e) {
      return [];
    }
  }

  function matches(row, filters) {
    var key;
    for (key in ROW_KEYS) {
      if (filters[key] && row.el.getAttribute(ROW_KEYS[key]) !== filters[key]) return false;
    }
    return row.pairs.some(function (pair) {
      for (var k in PAIR_KEYS) {
        if (filters[k] && pair[PAIR_KEYS[k]] !== filters[k]) return false;
      }
      return true;
    });
  }

  function init() {
    var form = document.getElementById("filters");
    var table = document.getElementById("action-table");
    if (!form || !table || !table.tBodies.length) return;
    var selects = Array.prototype.slice.call(form.querySelectorAll("select"));
    var rows = Array.prototype.map.call(table.tBodies[0].rows, function (el) {
      return { el: el, pairs: readPairs(el) };
    });
    var count = document.getElementById("filter-count");
    var empty = document.getElementById("filter-empty");

    function current() {
      var filters = {};
      selects.forEach(function (s) {
        if (s.value) filters[s.name] = s.value;
      });
      return filters;
    }

    function apply() {
      var filters = current();
      var shown = 0;
      rows.forEach(function (row) {
        var keep = matches(row, filters);
        row.el.hidden = !keep;
        if (keep) shown += 1;
      });
      var active = Object.keys(filters).length > 0;
      if (count) {
        count.textContent = active
          ? "Showing " + shown + " of " + rows.length + " actions"
          : rows.length + " actions";
      }
      if (empty) empty.hidden = shown > 0;
      return filters;
    }

    function hashOf(filters) {
      var params = new URLSearchParams();
      selects.forEach(function (s) {
        if (filters[s.name]) params.set(s.name, filters[s.name]);
      });
      var text = params.toString();
      return text ? "#" + text : "";
    }

    function fromHash() {
      var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
      selects.forEach(function (s) {
        var wanted = params.get(s.name) || "";
        var known = Array.prototype.some.call(s.options, function (o) {
          return o.value === wanted;
        });
        s.value = known ? wanted : "";
      });
    }

    function update() {
      var hash = hashOf(apply());
      if (hash === window.location.hash) return;
      var url = window.location.href.split("#")[0] + hash;
      try {
        window.history.replaceState(null, "", url);
      } catch (e) {
        window.location.replace(hash || "#");
      }
    }

    form.addEventListener("change", update);
    form.addEventListener("reset", function () {
      window.setTimeout(update, 0);
    });
    window.addEventListener("hashchange", function () {
      fromHash();
      apply();
    });
    form.hidden = false;
    fromHash();
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
