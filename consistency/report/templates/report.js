"use strict";
(function () {
  var section = document.getElementById("findings");
  var filters = document.querySelector(".filters");
  if (!section || !filters) { return; }
  var LEVELS = ["error", "warning", "info"];
  var LINKABLE = /^https?:\/\/[^\/?#\s]/i;
  var boxes = filters.querySelectorAll("input[type=checkbox]");
  var channel = filters.querySelector("select[name=channel]");
  var rule = filters.querySelector("select[name=rule]");
  var search = filters.querySelector("input[type=search]");
  var matches = filters.querySelector(".matches");
  var groups = section.querySelectorAll("details.group");

  // --- filters: by severity, channel, rule and words, counted over every finding ---
  function count(group, shown) {
    var n = 0;
    LEVELS.forEach(function (level) {
      if (shown[level]) { n += Number(group.getAttribute("data-" + level)) || 0; }
    });
    return n;
  }
  function apply() {
    var shown = {};
    boxes.forEach(function (box) { shown[box.value] = box.checked; });
    var words = search.value.trim().toLowerCase();
    var all = {error: true, warning: true, info: true};
    var matched = 0, total = 0;
    groups.forEach(function (group) {
      var key = group.getAttribute("data-key").toLowerCase();
      var n = count(group, shown);
      var visible = n > 0 && key.indexOf(words) !== -1 &&
        (!channel.value || group.getAttribute("data-channel") === channel.value) &&
        (!rule.value || group.getAttribute("data-rule") === rule.value);
      group.hidden = !visible;
      matched += visible ? n : 0;
      total += count(group, all);
    });
    LEVELS.forEach(function (level) { section.classList.toggle("hide-" + level, !shown[level]); });
    var lang = document.documentElement.lang || "en";
    matches.textContent = (section.getAttribute("data-matches") ||
      "%(matched)s of %(total)s findings match")
      .replace("%(matched)s", matched.toLocaleString(lang))
      .replace("%(total)s", total.toLocaleString(lang));
  }

  // --- lazy pages: rows drawn from their JSON with DOM calls only, like the server's rows ---
  function element(tag, text, cls) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }
  function cell(row, children, dir, cls) {
    var td = element("td", "", cls);
    if (dir) { td.setAttribute("dir", dir); }
    children.forEach(function (child) { td.appendChild(child); });
    row.appendChild(td);
    return td;
  }
  function values(parts) {  // texts at even places, numbers (in <bdi>) at odd ones
    var nodes = [];
    parts.forEach(function (text, i) {
      if (text) { nodes.push(i % 2 ? element("bdi", text) : document.createTextNode(text)); }
    });
    return nodes;
  }
  function link(value) {
    if (!LINKABLE.test(value)) { return document.createTextNode(value); }
    var a = element("a", value);
    a.setAttribute("href", value);
    a.setAttribute("rel", "noopener noreferrer");
    return a;
  }
  function aside(td, value, cls) {
    if (!value) { return; }
    var span = element("span", "", cls);
    span.setAttribute("dir", "ltr");
    span.appendChild(link(value));
    td.appendChild(span);
  }
  function drawRow(r) {
    var tr = element("tr", "", "sev-" + r[0]);
    var first = [element("span", r[13] || r[0], "badge sev-" + r[0])];
    if (r[1]) {
      first.push(document.createTextNode(" "), element("span", r[14] || r[1], "status status-" + r[1]));
    }
    cell(tr, first);
    cell(tr, [document.createTextNode(r[2])], "auto");
    cell(tr, r[3] ? [element("bdi", r[3])] : []);
    cell(tr, values(r[4]));
    cell(tr, values(r[5]));
    cell(tr, values(r[6]));
    cell(tr, [document.createTextNode(r[7])]);
    cell(tr, [document.createTextNode(r[8])], "auto");
    var evidence = cell(tr, [], "", "evidence");
    if (r[9]) {
      var q = element("q");
      q.setAttribute("dir", "auto");
      q.appendChild(document.createTextNode(r[9][0]));
      if (r[9][1]) { q.appendChild(element("mark", r[9][1])); }
      q.appendChild(document.createTextNode(r[9][2]));
      evidence.appendChild(q);
    }
    aside(evidence, r[10], "src");
    aside(evidence, r[11], "ref");
    if (r[12]) { evidence.appendChild(element("span", r[12], "where")).setAttribute("dir", "ltr"); }
    return tr;
  }
  function drawTable(rows) {
    var table = element("table", "", "findings");
    var head = table.appendChild(element("thead")).appendChild(element("tr"));
    JSON.parse(section.getAttribute("data-columns") || "[]")
      .forEach(function (name) { head.appendChild(element("th", name)); });
    var body = table.appendChild(element("tbody"));
    rows.forEach(function (r) { body.appendChild(drawRow(r)); });
    return table;
  }
  function draw(page) {
    var id = page && page.getAttribute("data-rows");
    var data = id && document.getElementById(id);
    if (!data) { return; }
    page.removeAttribute("data-rows");
    var table = drawTable(JSON.parse(data.textContent));
    var note = page.querySelector(".offline");
    if (note) { note.remove(); }
    data.remove();
    page.appendChild(table);
  }
  function opened(event) {
    var target = event.target;
    if (!target.open) { return; }
    if (target.matches("details.page")) { draw(target); }
    if (target.matches("details.group")) { draw(target.querySelector(":scope > div.page")); }
  }

  // --- #page=N: open that page, draw it, show it ---
  function go() {
    var wanted = /^#page=(\d+)$/.exec(location.hash);
    var page = wanted && document.getElementById("page-" + wanted[1]);
    if (!page) { return; }
    for (var node = page; node && node !== section; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
    draw(page);
    page.scrollIntoView();
  }

  document.addEventListener("toggle", opened, true);
  section.querySelectorAll("details.group[open] > div.page").forEach(draw);
  window.addEventListener("hashchange", go);
  filters.addEventListener("input", apply);
  filters.addEventListener("change", apply);
  section.querySelectorAll(".offline-note").forEach(function (note) { note.hidden = true; });
  filters.hidden = false;
  apply();
  go();
})();
