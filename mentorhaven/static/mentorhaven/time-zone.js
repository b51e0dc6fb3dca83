// Sign-up: fill the hidden time-zone field with the browser's own zone (an IANA name such as
// "Europe/Berlin"). The server keeps it only if it is a zone it knows. No inline code (strict CSP).
(function () {
  "use strict";
  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  var fields = document.querySelectorAll("input[data-browser-time-zone]");
  for (var i = 0; i < fields.length; i++) {
    if (!fields[i].value) { fields[i].value = zone; }
  }
})();
