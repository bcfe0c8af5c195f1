"use strict";
(function () {
  var filters = document.querySelector(".filters");
  if (!filters) { return; }
  var boxes = filters.querySelectorAll("input[type=checkbox]");
  var search = filters.querySelector("input[type=search]");
  var groups = document.querySelectorAll("details.group");
  function apply() {
    var shown = {};
    boxes.forEach(function (box) { shown[box.value] = box.checked; });
    var words = search.value.trim().toLowerCase();
    groups.forEach(function (group) {
      var key = group.getAttribute("data-key").toLowerCase();
      var visible = shown[group.getAttribute("data-severity")] && key.indexOf(words) !== -1;
      group.hidden = !visible;
    });
  }
  filters.addEventListener("input", apply);
  filters.hidden = false;
})();
