// The sandbox Jira pages' only script (served as a file so the pages need no inline script).
// 1. "Signed in as": choosing a person sets the session cookie the host's bridge reads, then
//    reloads, so the next resolver call acts for that person.
// 2. Issue actions: a button opens the app's Custom UI page in a modal dialog with the issue
//    context, as Jira opens an issue action. The page closes the dialog by posting
//    {type: "pam-approvals:close", refresh: true} to its parent; refresh reloads the issue.
(function () {
  'use strict';

  var switcher = document.getElementById('sandbox-user');
  if (switcher) {
    switcher.addEventListener('change', function () {
      var cookie = switcher.getAttribute('data-cookie');
      if (!cookie || !switcher.value) return;
      document.cookie = cookie + '=' + encodeURIComponent(switcher.value) + '; path=/; SameSite=Lax';
      window.location.reload();
    });
  }

  var dialog = document.getElementById('issue-action-dialog');
  if (!dialog) return;
  var frame = dialog.querySelector('iframe');
  var title = dialog.querySelector('.modal-header h2');

  function closeDialog() {
    if (dialog.open) dialog.close();
  }

  // Escape pressed while focus is inside the (same-origin) page also closes the dialog.
  frame.addEventListener('load', function () {
    try {
      frame.contentWindow.addEventListener('keydown', function (event) {
        if (event.key === 'Escape') closeDialog();
      });
    } catch (e) {
      // A page from another origin keeps its own keys.
    }
  });

  dialog.addEventListener('close', function () {
    frame.removeAttribute('src');
  });
  dialog.querySelector('.modal-close').addEventListener('click', closeDialog);

  var buttons = document.querySelectorAll('[data-issue-action]');
  Array.prototype.forEach.call(buttons, function (button) {
    button.addEventListener('click', function () {
      title.textContent = button.getAttribute('data-title') || button.textContent;
      frame.setAttribute('title', title.textContent);
      frame.setAttribute('src', button.getAttribute('data-issue-action'));
      dialog.showModal();
    });
  });

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (!data || typeof data !== 'object' || data.type !== 'pam-approvals:close') return;
    closeDialog();
    if (data.refresh === true) window.location.reload();
  });
})();
