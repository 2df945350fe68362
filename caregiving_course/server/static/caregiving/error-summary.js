/* The error summary (GOV.UK pattern): focused when the page loads, so screen readers read it first; each link
 * moves focus to its field (a fragment link alone only scrolls). */
(function () {
  'use strict';
  var summary = document.querySelector('[data-focus-on-load]');
  if (!summary) { return; }
  summary.focus();
  summary.addEventListener('click', function (event) {
    var link = event.target.closest('a[href^="#"]');
    var field = link && document.getElementById(link.getAttribute('href').slice(1));
    if (!field) { return; }
    event.preventDefault();
    field.focus();
    field.scrollIntoView({block: 'center'});
  });
}());
