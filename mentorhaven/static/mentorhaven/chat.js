// Live conversation: a WebSocket delivers new messages; while it is closed, the htmx poller on
// the page fetches them instead. Either way a message is shown once: items are keyed by id, and
// the cursor (#chat-cursor, the highest seq shown) moves forward only. No eval, no inline code,
// no innerHTML: text goes in with textContent (strict CSP, and no markup injection).
(function () {
  "use strict";
  var log = document.getElementById("chat-log");
  if (!log) { return; }
  var cursorInput = document.getElementById("chat-cursor");
  var poller = document.getElementById("chat-poller");
  var pollerCopy = poller ? poller.cloneNode(false) : null;
  var compose = document.getElementById("compose");
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]");
  var socket = null;
  var retry = 1000;

  function cursor() {
    var value = parseInt(cursorInput && cursorInput.value, 10);
    return isNaN(value) ? 0 : value;
  }

  function moveCursor(seq) {
    cursorInput = document.getElementById("chat-cursor");
    if (cursorInput && seq > cursor()) { cursorInput.value = String(seq); }
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    return node;
  }

  function actions(item) {
    var p = el("p", "chat-actions");
    if (item.deleted || log.dataset.readOnly === "1") { return null; }
    if (item.mine) {
      var edit = el("a", null, "Edit");
      edit.href = "/messages/m/" + item.id + "/edit/";
      p.appendChild(edit);
      if (csrf) {
        var form = el("form", "inline-form");
        form.method = "post";
        form.action = "/messages/m/" + item.id + "/delete/";
        var token = el("input");
        token.type = "hidden"; token.name = "csrfmiddlewaretoken"; token.value = csrf.value;
        var button = el("button", "link-button", "Delete");
        button.type = "submit";
        form.appendChild(token); form.appendChild(button);
        p.appendChild(document.createTextNode(" "));
        p.appendChild(form);
      }
    } else {
      var report = el("a", null, "Report");
      report.href = "/messages/m/" + item.id + "/report/";
      p.appendChild(report);
    }
    return p;
  }

  function render(item) {
    var li = el("li", "chat-item" + (item.mine ? " chat-mine" : ""));
    li.id = "m-" + item.id;
    li.dataset.id = item.id;
    li.dataset.seq = String(item.seq);
    var meta = el("p", "meta");
    meta.appendChild(el("span", "chat-author", item.mine ? "You" : item.author.display_name));
    meta.appendChild(document.createTextNode(" · "));
    var time = el("time", null, new Date(item.created_at).toLocaleString());
    time.dateTime = item.created_at;
    meta.appendChild(time);
    if (item.edited && !item.deleted) { meta.appendChild(el("span", "chat-edited", " · edited")); }
    li.appendChild(meta);
    li.appendChild(item.deleted ? el("p", "placeholder chat-body", "Message deleted.")
                                : el("p", "chat-body", item.body));
    var act = actions(item);
    if (act) { li.appendChild(act); }
    return li;
  }

  function add(item) {
    var existing = document.getElementById("m-" + item.id);
    if (!existing) {
      log.appendChild(render(item));
      var empty = document.getElementById("chat-empty");
      if (empty) { empty.remove(); }
    }
    moveCursor(item.seq);
  }

  function replace(item) {
    var existing = document.getElementById("m-" + item.id);
    if (existing) { existing.replaceWith(render(item)); }
  }

  // After an htmx poll appended messages: drop any that the socket had already shown.
  function dedupe() {
    var seen = {};
    var highest = 0;
    Array.prototype.slice.call(log.querySelectorAll("li[data-id]")).forEach(function (li) {
      if (seen[li.dataset.id]) { li.remove(); return; }
      seen[li.dataset.id] = true;
      highest = Math.max(highest, parseInt(li.dataset.seq, 10) || 0);
    });
    moveCursor(highest);
  }
  document.body.addEventListener("htmx:oobAfterSwap", dedupe);
  document.body.addEventListener("htmx:afterSettle", dedupe);

  if (compose) {
    var sentText = null;
    compose.addEventListener("htmx:beforeRequest", function () {
      sentText = compose.elements.body ? compose.elements.body.value : null;
    });
    compose.addEventListener("htmx:afterRequest", function (event) {
      if (event.detail.successful) {
        // Clear only what was sent: text typed while the request was in flight stays.
        if (compose.elements.body && compose.elements.body.value === sentText) { compose.reset(); }
        if (socket && socket.readyState === 1) { socket.send(JSON.stringify({ "check": true })); }
      }
    });
  }

  function pausePolling() {
    var current = document.getElementById("chat-poller");
    if (current) { current.remove(); }
  }

  function resumePolling() {
    if (!pollerCopy || document.getElementById("chat-poller") || !window.htmx) { return; }
    var fresh = pollerCopy.cloneNode(false);
    log.parentNode.appendChild(fresh);
    window.htmx.process(fresh);
  }

  function connect() {
    if (!("WebSocket" in window) || !log.dataset.socket) { return; }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + log.dataset.socket + "?after=" + cursor());
    socket.addEventListener("open", function () { retry = 1000; pausePolling(); });
    socket.addEventListener("message", function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "messages") {
        data.items.forEach(add);
        if (document.visibilityState === "visible") {
          socket.send(JSON.stringify({ "read": cursor() }));
        }
      } else if (data.type === "message") {
        replace(data.item);
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      resumePolling();
      if (event.code === 4401 || event.code === 4403 || event.code === 4404) { return; }
      window.setTimeout(connect, retry);
      retry = Math.min(retry * 2, 30000);
    });
  }

  connect();
})();
