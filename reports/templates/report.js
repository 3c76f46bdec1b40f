// The tables' filters: a text box (every word must appear in the row) and a verdict; the count says what is shown.
(function () {
  "use strict";
  document.querySelectorAll("section[data-filterable]").forEach(function (section) {
    var box = section.querySelector("input.filter-text");
    var pick = section.querySelector("select.filter-verdict");
    var shown = section.querySelector("output.shown");
    var rows = Array.prototype.slice.call(section.querySelectorAll("tbody tr"));
    var texts = rows.map(function (row) { return row.textContent.toLowerCase(); });
    var timer = null;
    function apply() {
      var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
      var verdict = pick ? pick.value : "";
      var count = 0;
      rows.forEach(function (row, i) {
        var show = (!verdict || row.getAttribute("data-verdict") === verdict) &&
          words.every(function (word) { return texts[i].indexOf(word) !== -1; });
        row.hidden = !show;
        if (show) { count += 1; }
      });
      shown.value = count;
      shown.textContent = count;
    }
    box.addEventListener("input", function () {
      clearTimeout(timer);
      if (rows.length > 2000) { timer = setTimeout(apply, 150); } else { apply(); }
    });
    if (pick) { pick.addEventListener("change", apply); }
  });
})();
