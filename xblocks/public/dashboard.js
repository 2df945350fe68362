/* Instructor dashboard block: sorting, filtering and paging the table, the learner drill-down and
 * its forms, the chart and the sync panel. Everything is rendered by the server; this script asks
 * the block's handlers for fresh HTML and puts it in place, keeping keyboard focus where it was.
 */
function CaregivingDashboard(runtime, element, init) {
  'use strict';
  var root = element.jquery ? element[0] : element;
  var dash = root.querySelector('.cg-dash') || root;
  var live = dash.querySelector('.cg-dash-live');
  var region = dash.querySelector('.cg-dash-table-region');
  var detail = dash.querySelector('.cg-dash-detail');
  var filters = {search: '', at_risk_only: false};
  // Inside a partner's iframe (an LTI launch) the page carries a signed session token, for browsers that refuse
  // our cookies there; every request sends it.
  var embed = root.closest ? root.closest('.lti-embed[data-lti-session]') : null;
  var ltiSession = embed ? embed.getAttribute('data-lti-session') : '';

  function withSession(headers) {
    if (ltiSession) { headers['X-LTI-Session'] = ltiSession; }
    return headers;
  }

  function csrfToken() {
    var holder = root.closest('[data-csrf]');
    if (holder) { return holder.getAttribute('data-csrf'); }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : '';
  }

  function announce(text) {
    if (!live) { return; }
    live.textContent = '';
    window.setTimeout(function () { live.textContent = text || ''; }, 50);
  }

  function post(handler, data) {
    return fetch(runtime.handlerUrl(root, handler), {
      method: 'POST', credentials: 'same-origin',
      headers: withSession({'Content-Type': 'application/json', 'X-CSRFToken': csrfToken(),
                            'X-Requested-With': 'XMLHttpRequest'}),
      body: JSON.stringify(data)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return {status: response.status, body: body};
      });
    });
  }

  function tableState() {
    var state = region && region.querySelector('.cg-dash-state');
    return {
      cohort: init.cohort,
      sort: state ? state.getAttribute('data-sort') : 'name',
      descending: state ? state.getAttribute('data-descending') === '1' : false,
      page: state ? parseInt(state.getAttribute('data-page'), 10) : 1,
      search: filters.search,
      at_risk_only: filters.at_risk_only
    };
  }

  var tableRequest = 0;  // only the answer to the latest request is shown

  function updateCsvLink(state) {  // the download matches the table as sorted and filtered on screen
    var link = dash.querySelector('a.cg-dash-csv');
    if (!link) { return; }
    var url = new URL(link.getAttribute('href'), window.location.href);
    ['cohort', 'sort', 'search'].forEach(function (key) { url.searchParams.set(key, state[key] || ''); });
    url.searchParams.set('descending', state.descending ? '1' : '0');
    url.searchParams.set('at_risk_only', state.at_risk_only ? '1' : '0');
    link.setAttribute('href', url.pathname + url.search);
  }

  function loadTable(changes, focusSelector) {
    var data = Object.assign(tableState(), changes || {});
    var mine = ++tableRequest;
    var count = region.querySelector('.cg-dash-count');
    if (count && region.getAttribute('data-loading-text')) { count.textContent = region.getAttribute('data-loading-text'); }
    region.setAttribute('aria-busy', 'true');
    return post('table', data).then(function (result) {
      if (mine !== tableRequest) { return; }
      region.removeAttribute('aria-busy');
      if (result.status !== 200) { announce(result.body.error || ''); return; }
      region.innerHTML = result.body.html;
      updateCsvLink(data);
      var shown = region.querySelector('.cg-dash-count');
      announce(shown ? shown.textContent : '');
      var target = focusSelector && region.querySelector(focusSelector);
      if (target) { target.focus(); }
    });
  }

  function showErrors(form, errors) {
    var first = null;
    Object.keys(errors).forEach(function (field) {
      var slot = form.querySelector('[data-field="' + field + '"]');
      if (slot) { slot.textContent = errors[field]; }
      var input = form.querySelector('[name="' + field + '"]') ||
        (field === 'skill' || field === 'component' ? form.querySelector('[name="component_skill"]') : null);
      if (input) {
        input.setAttribute('aria-invalid', 'true');
        if (!first) { first = input; }
      }
    });
    (first || form.querySelector('button[type="submit"]')).focus();
  }

  function clearErrors(form) {
    form.querySelectorAll('.cg-dash-error').forEach(function (slot) { slot.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach(function (input) { input.removeAttribute('aria-invalid'); });
  }

  function formData(form) {
    var data = {};
    var learner = form.closest('[data-learner]');
    if (learner) { data.learner_id = parseInt(learner.getAttribute('data-learner'), 10); }
    new FormData(form).forEach(function (value, name) {
      if (name === 'record_id') { data.record_id = parseInt(value, 10); } else if (name === 'component_skill') {
        var parts = String(value).split('|');
        data.component = parts[0];
        data.skill = parts.slice(1).join('|');
      } else { data[name] = value; }
    });
    return data;
  }

  function newRequestId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    return 'r' + Date.now().toString(36) + Math.random().toString(36).slice(2, 12);
  }

  function showDetail(html, focusOk) {
    detail.querySelector('.cg-dash-detail-body').innerHTML = html;
    var ok = focusOk && detail.querySelector('.cg-dash-ok');
    if (ok) { ok.setAttribute('tabindex', '-1'); ok.focus(); return; }
    // The learner's name, at the top of the screen: the section is taller than any screen.
    var name = detail.querySelector('.cg-dash-learner-name') || detail;
    name.setAttribute('tabindex', '-1');
    name.focus({preventScroll: true});
    name.scrollIntoView({block: 'start'});
  }

  function clearMessages() {  // a success message must not stand next to a later error
    detail.querySelectorAll('.cg-dash-ok').forEach(function (ok) { ok.remove(); });
  }

  dash.addEventListener('click', function (event) {
    var button = event.target.closest('button');
    if (!button || !dash.contains(button)) { return; }
    if (button.classList.contains('cg-dash-sort')) {
      var key = button.getAttribute('data-sort');
      var descending = button.getAttribute('data-descending') === '1';
      // Show the new order at once (the rows follow): the header says how the table is sorted.
      region.querySelectorAll('thead th[aria-sort]').forEach(function (th) { th.removeAttribute('aria-sort'); });
      button.closest('th').setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      button.setAttribute('data-descending', descending ? '0' : '1');
      loadTable({sort: key, descending: descending, page: 1}, '.cg-dash-sort[data-sort="' + key + '"]');
    } else if (button.classList.contains('cg-dash-page')) {
      var page = parseInt(button.getAttribute('data-page'), 10);
      loadTable({page: page}, '.cg-dash-scroll');
    } else if (button.classList.contains('cg-dash-learner')) {
      post('learner', {learner_id: parseInt(button.getAttribute('data-learner'), 10), cohort: init.cohort}).then(function (result) {
        if (result.status === 200) { showDetail(result.body.html, false); } else { announce(result.body.error); }
      });
    } else if (button.classList.contains('cg-dash-retry')) {
      post('retry_delivery', {entry_id: parseInt(button.getAttribute('data-entry'), 10)}).then(function (result) {
        announce(result.body.message || result.body.error);
        if (result.status === 200) { dash.querySelector('.cg-dash-sync').innerHTML = result.body.html; }
      });
    } else if (button.classList.contains('cg-dash-roster')) {
      post('load_roster', {cohort: button.getAttribute('data-cohort')}).then(function (result) {
        var text = result.body.message || (result.body.errors && result.body.errors.form) || result.body.error || '';
        var shown = dash.querySelector('.cg-dash-roster-result');
        if (shown) {
          shown.textContent = text;
          shown.className = 'cg-dash-roster-result ' + (result.status === 200 ? 'cg-dash-ok' : 'cg-dash-error');
        }
        announce(text);
        if (result.status === 200) { loadTable({page: 1}); }
      });
    }
  });

  dash.addEventListener('submit', function (event) {
    var form = event.target;
    event.preventDefault();
    if (form.classList.contains('cg-dash-filter')) {
      filters.search = form.querySelector('[name="search"]').value;
      filters.at_risk_only = form.querySelector('[name="at_risk_only"]').checked;
      loadTable({page: 1});
    } else if (form.classList.contains('cg-dash-cohort')) {
      var cohort = form.querySelector('[name="cohort"]').value;
      post('select_cohort', {cohort: cohort}).then(function (result) {
        if (result.status === 200) { window.location.reload(); } else { announce(result.body.error); }
      });
    } else if (form.classList.contains('cg-dash-form')) {
      var submit = form.querySelector('button[type="submit"]');
      if (submit && submit.getAttribute('aria-disabled') === 'true') { return; }  // already on its way
      clearErrors(form);
      clearMessages();
      var data = formData(form);
      if (form.getAttribute('data-action') === 'record_hours') {
        if (!form.getAttribute('data-request-id')) { form.setAttribute('data-request-id', newRequestId()); }
        data.request_id = form.getAttribute('data-request-id');
      }
      if (submit) { submit.setAttribute('aria-disabled', 'true'); }
      post(form.getAttribute('data-action'), data).then(function (result) {
        if (submit) { submit.removeAttribute('aria-disabled'); }
        if (result.status === 200) {
          showDetail(result.body.html, true);
          announce(result.body.message);
          loadTable({});
        } else if (result.body.errors) {
          showErrors(form, result.body.errors);
        } else {
          showErrors(form, {form: result.body.error || String(result.status)});
        }
      });
    }
  });

  // In an iframe without our cookies a plain link cannot download the CSV: fetch it with the token instead.
  dash.addEventListener('click', function (event) {
    var link = event.target.closest && event.target.closest('a.cg-dash-csv');
    if (!link || !ltiSession) { return; }
    event.preventDefault();
    fetch(link.getAttribute('href'), {credentials: 'same-origin', headers: withSession({})}).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      var disposition = response.headers.get('Content-Disposition') || '';
      var named = disposition.match(/filename="?([^";]+)"?/);
      return response.blob().then(function (blob) {
        var save = document.createElement('a');
        save.href = URL.createObjectURL(blob);
        save.download = named ? named[1] : 'cohort.csv';
        document.body.appendChild(save);
        save.click();
        save.remove();
        window.setTimeout(function () { URL.revokeObjectURL(save.href); }, 1000);
      });
    }).catch(function (error) { announce(link.getAttribute('data-failed-text') + ' (' + error.message + ')'); });
  });

  var chart = dash.querySelector('.cg-dash-chart');
  if (chart && !chart.querySelector('svg') && chart.getAttribute('data-url')) {
    fetch(chart.getAttribute('data-url'), {credentials: 'same-origin', headers: withSession({})}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (body) { if (body && body.html) { chart.innerHTML = body.html; } });
  }
}
