// The kiosk: follows the flow's step (polled), builds an entry from the keypad (or the digit
// keys of a keyboard) showing only dots, and forgets it as soon as it is sent.
'use strict';
(function () {
  var kiosk = document.getElementById('kiosk');
  if (!kiosk) return;
  var csrf = kiosk.getAttribute('data-csrf');
  var step = document.getElementById('step');
  var shown = document.getElementById('shown');
  var keypad = document.getElementById('keypad');
  var start = document.getElementById('start');
  var entry = '';
  function show() { shown.textContent = entry.replace(/./g, '\u2022'); }
  function post(path, fields) {
    var body = 'csrf=' + encodeURIComponent(csrf);
    for (var name in fields) body += '&' + name + '=' + encodeURIComponent(fields[name]);
    return fetch(path, { method: 'POST', credentials: 'same-origin',
                         headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: body });
  }
  function key(k) {
    if (keypad.hidden) return;
    if (k === 'clear') entry = '';
    else if (k === 'ok') {
      if (entry === '') return;
      var sent = { entry: entry };
      entry = '';
      post('/kiosk/enter', sent);
      sent = null;
    } else if (entry.length < 32) entry += k;
    show();
  }
  keypad.addEventListener('click', function (e) {
    var k = e.target.getAttribute('data-key');
    if (k) key(k);
  });
  document.addEventListener('keydown', function (e) {
    if (/^[0-9]$/.test(e.key)) key(e.key);
    else if (e.key === 'Enter') key('ok');
    else if (e.key === 'Backspace' || e.key === 'Escape') key('clear');
  });
  start.addEventListener('click', function () { post('/kiosk/start', {}); });
  function poll() {
    fetch('/kiosk/state', { credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) { window.location.reload(); return null; }
      return r.ok ? r.json() : { step: 'offline', text: 'Out of service.', keypad: false, start: false };
    }).then(function (s) {
      if (!s) return;
      if (kiosk.getAttribute('data-step') !== s.step) { entry = ''; show(); }
      kiosk.setAttribute('data-step', s.step);
      step.textContent = s.text;
      keypad.hidden = !s.keypad;
      start.hidden = !s.start;
    }).catch(function () { step.textContent = 'Out of service.'; }).then(function () { setTimeout(poll, 250); });
  }
  poll();
})();
