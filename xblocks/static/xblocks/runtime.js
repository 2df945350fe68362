/* The XBlock JavaScript runtime of our own server (version 1 of the XBlock JS API).
 *
 * Every block wrapper carries data-init (its init function), data-handler-prefix (a signed handler
 * URL with the placeholder HANDLER) and data-csrf. This script calls each init function once with
 * a runtime whose handlerUrl(element, handler, suffix, query) builds the block's handler URLs.
 */
(function () {
  'use strict';

  function wrapperOf(element) {
    return element.matches('[data-handler-prefix]') ? element : element.closest('[data-handler-prefix]');
  }

  var runtime = {
    handlerUrl: function (element, handler, suffix, query) {
      var prefix = wrapperOf(element).getAttribute('data-handler-prefix');
      var url = prefix.replace('/HANDLER/', '/' + encodeURIComponent(handler) + '/') + (suffix || '');
      return query ? url + '?' + query : url;
    },
    notify: function () { /* no Studio notifications in our server */ }
  };

  function initAll() {
    Array.prototype.forEach.call(document.querySelectorAll('[data-init][data-handler-prefix]'), function (el) {
      if (el.getAttribute('data-initialised')) { return; }
      el.setAttribute('data-initialised', 'true');
      var init = window[el.getAttribute('data-init')];
      var argsNode = el.querySelector('script.xblock_json_init_args');
      var args = argsNode && argsNode.parentNode === el ? JSON.parse(argsNode.textContent) : {};
      if (typeof init === 'function') { init(runtime, el, args); }
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', initAll);
  } else {
    initAll();
  }
}());
