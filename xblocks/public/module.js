/* Caregiving module block: sections, knowledge check, reflection and honest heartbeats.
 *
 * Heartbeats go every `interval` seconds, but only while the page is visible AND the learner
 * interacted (pointer, key, scroll, touch) within the last `idle` seconds; each carries the visible,
 * active seconds the page counted since the previous one. Each page load is a
 * "tab" with a random id; its beats carry an increasing sequence number. The server decides what
 * counts (by its own clock); this script only reports.
 */
function CaregivingModuleBlock(runtime, element, args) {
  'use strict';
  var root = element.querySelector('.cg-module');
  if (!root || !root.querySelector('.cg-check')) { return; }
  var messages = args.messages || {};
  var csrf = element.getAttribute('data-csrf') || (document.cookie.match(/(?:^|; )csrftoken=([^;]+)/) || [])[1] || '';

  function randomId() {
    var bytes = new Uint8Array(12);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }

  // Inside a partner's iframe the LTI bridge leaves a signed session token, for browsers that refuse our cookies.
  var embed = element.closest ? element.closest('.lti-embed[data-lti-session]') : null;
  var headers = {'Content-Type': 'application/json', 'X-CSRFToken': csrf, 'X-Requested-With': 'XMLHttpRequest'};
  if (embed && embed.getAttribute('data-lti-session')) { headers['X-LTI-Session'] = embed.getAttribute('data-lti-session'); }

  function post(handler, data) {
    return fetch(runtime.handlerUrl(element, handler), {
      method: 'POST',
      credentials: 'same-origin',
      headers: headers,
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) { throw new Error(body.error || response.statusText); }
        return body;
      });
    });
  }

  function show(name, text) {
    var node = root.querySelector('[data-cg="' + name + '"]');
    if (node && typeof text === 'string') { node.textContent = text; }
  }

  function showStatus(reply) {
    show('time', reply.time_text);
    show('credited', reply.credited_text);
    show('status', reply.status_text);
  }

  function fail() { show('status', messages.error); }

  if (!args.signedIn) { return; }

  /* Heartbeats ----------------------------------------------------------------------------
   * The page counts its own visible, active time: a moment counts while the page is visible and the last
   * interaction is at most `idle` seconds old. Each beat sends the whole seconds counted since the
   * previous beat (keeping the fraction); the server credits no more than that, nor than its own clock. */
  var tab = randomId();
  var seq = 0;
  var now = function () { return (window.performance && performance.now) ? performance.now() : Date.now(); };
  var lastInteraction = now();
  var visible = document.visibilityState === 'visible';
  var counted = 0;  // visible, active milliseconds not yet sent
  var mark = now();
  function count() {
    var t = now();
    if (visible) { counted += Math.max(0, Math.min(t, lastInteraction + args.idle * 1000) - mark); }
    mark = t;
  }
  function interacted() { count(); lastInteraction = now(); }
  ['pointerdown', 'pointermove', 'keydown', 'touchstart', 'wheel'].forEach(function (type) {
    document.addEventListener(type, interacted, {passive: true, capture: true});
  });
  window.addEventListener('scroll', interacted, {passive: true, capture: true});
  document.addEventListener('visibilitychange', function () {
    count();
    visible = document.visibilityState === 'visible';
  });

  function beat() {
    count();
    var idleSeconds = (now() - lastInteraction) / 1000;
    if (!visible || idleSeconds > args.idle) { return; }
    var active = Math.floor(counted / 1000);
    counted -= active * 1000;
    seq += 1;
    post('heartbeat', {tab: tab, seq: seq, visible: true, idle_seconds: Math.floor(idleSeconds),
                       active_seconds: active})
      .then(showStatus, function () { /* a lost beat only loses its own few seconds */ });
  }
  window.setInterval(beat, args.interval * 1000);

  /* Sections -------------------------------------------------------------------------------- */
  Array.prototype.forEach.call(root.querySelectorAll('details.cg-section'), function (details) {
    details.addEventListener('toggle', function () {
      if (!details.open) { return; }
      var index = parseInt(details.getAttribute('data-index'), 10);
      post('view_section', {index: index}).then(function (reply) {
        var seen = details.querySelector('[data-cg="seen"]');
        if (seen) { seen.textContent = messages.viewed; }
        showStatus(reply);
      }, fail);
    });
  });

  /* Knowledge check ------------------------------------------------------------------------- */
  var check = root.querySelector('.cg-check');
  var result = check.querySelector('[data-cg="result"]');
  check.addEventListener('submit', function (event) {
    event.preventDefault();
    var answers = {};
    var missing = false;
    Array.prototype.forEach.call(check.querySelectorAll('fieldset[data-question]'), function (fieldset) {
      var chosen = fieldset.querySelector('input[type="radio"]:checked');
      fieldset.querySelector('[data-cg="feedback"]').textContent = '';
      if (chosen) { answers[fieldset.getAttribute('data-question')] = parseInt(chosen.value, 10); } else { missing = true; }
    });
    if (missing) { result.textContent = messages.answerAll; result.focus(); return; }
    post('submit_check', {answers: answers}).then(function (reply) {
      Object.keys(reply.feedback).forEach(function (qid) {
        var item = reply.feedback[qid];
        var fieldset = check.querySelector('fieldset[data-question="' + qid + '"]');
        var node = fieldset.querySelector('[data-cg="feedback"]');
        node.textContent = (item.verdict ? item.verdict + ' ' : '') + item.feedback;
        node.className = 'cg-feedback ' + (item.correct ? 'cg-correct' : 'cg-incorrect');
      });
      result.textContent = reply.score_text;
      result.focus();
      showStatus(reply);
    }, function () { result.textContent = messages.error; result.focus(); });
  });

  /* Reflection ------------------------------------------------------------------------------ */
  var reflection = root.querySelector('.cg-reflection');
  reflection.addEventListener('submit', function (event) {
    event.preventDefault();
    post('save_reflection', {text: reflection.querySelector('textarea').value}).then(function (reply) {
      show('saved', messages.saved);
      showStatus(reply);
    }, function () { show('saved', messages.error); });
  });
}
