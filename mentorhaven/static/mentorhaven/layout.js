// Small screens: the main navigation folds into a "Menu" button, and every table scrolls inside
// a container of its own so the page never scrolls sideways. Without JavaScript the navigation
// stays open and the stylesheet alone keeps wrapped tables in their box. No inline code, no
// innerHTML (strict CSP).
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  if (button) {
    document.documentElement.classList.add("has-menu");
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        button.focus();
      }
    });
  }
  var tables = document.querySelectorAll("main table");
  for (var i = 0; i < tables.length; i++) {
    var table = tables[i];
    if (table.parentElement && table.parentElement.classList.contains("table-wrap")) { continue; }
    var wrap = document.createElement("div");
    wrap.className = "table-wrap";
    table.parentNode.insertBefore(wrap, table);
    wrap.appendChild(table);
  }
})();
