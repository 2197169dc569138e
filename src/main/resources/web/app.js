// The dashboard's only script besides htmx. Pages work without it; it only adds the sign-in link's
// hand-off: the token travels in the URL fragment, which browsers never send to a server, so this
// reads it, removes it from the address bar and history, and posts it once in the sign-in form.
(function () {
  'use strict';

  function signInFromFragment() {
    var form = document.getElementById('sign-in-form');
    var match = /^#token=([A-Za-z0-9_\-.]+)$/.exec(window.location.hash);
    if (!form || !match) {
      return;
    }
    history.replaceState(null, '', window.location.pathname + window.location.search);
    form.elements.token.value = match[1];
    var notice = document.getElementById('signing-in');
    if (notice) {
      notice.hidden = false;
    }
    form.submit();
  }

  // A live update that fails shows its message in the alert area (htmx swaps error answers there);
  // one that cannot reach the server at all says so, and the next poll clears it when it is back.
  function reportUnreachable() {
    document.body.addEventListener('htmx:sendError', function () {
      var flash = document.getElementById('flash');
      if (flash) {
        flash.textContent = 'The dashboard cannot reach the service right now; it keeps trying.';
      }
    });
    document.body.addEventListener('htmx:afterSwap', function (event) {
      var flash = document.getElementById('flash');
      if (flash && event.detail.target !== flash && event.detail.successful) {
        flash.textContent = '';
      }
    });
  }

  // Once the page is being left (a form was submitted, e.g. Sign out), live updates stop: an answer
  // still on its way must not send the browser somewhere else than where the user asked to go.
  function stopLiveUpdatesWhenLeaving() {
    var leaving = false;
    document.addEventListener('submit', function (event) {
      if (!event.defaultPrevented && !event.target.hasAttribute('hx-post')) {
        leaving = true;
      }
    });
    window.addEventListener('pagehide', function () { leaving = true; });
    ['htmx:beforeRequest', 'htmx:beforeOnLoad'].forEach(function (name) {
      document.body.addEventListener(name, function (event) {
        if (leaving) {
          event.preventDefault();
        }
      });
    });
  }

  function start() {
    signInFromFragment();
    reportUnreachable();
    stopLiveUpdatesWhenLeaving();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
