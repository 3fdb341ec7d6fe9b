// The dashboard's live table: each server-sent event becomes a row (as text, never as HTML), and
// the station's state cells follow the events of their layer.
'use strict';
(function () {
  var live = document.getElementById('live');
  var stream = document.getElementById('stream');
  if (!live || !window.EventSource) return;
  var source = new EventSource('/events');
  source.onopen = function () { stream.textContent = 'live'; };
  source.onerror = function () { stream.textContent = 'paused (reconnecting, or the session ended)'; };
  source.onmessage = function (message) {
    var e = JSON.parse(message.data);
    var row = document.createElement('tr');
    [e.id, e.time, e.attempt, e.layer, e.decision, e.score, e.detail, e.image].forEach(function (value) {
      var cell = document.createElement('td');
      cell.textContent = String(value);
      row.appendChild(cell);
    });
    live.insertBefore(row, live.firstChild);
    while (live.rows.length > 50) live.deleteRow(live.rows.length - 1);
    var state = document.getElementById('state-' + e.layer);
    if (state) state.textContent = e.decision + ' (' + e.time + ')';
    if (e.attempt !== '-') document.getElementById('state-step').textContent = e.attempt + ': ' + e.layer + ' ' + e.decision;
    document.body.setAttribute('data-last-event', String(e.id));
  };
})();
