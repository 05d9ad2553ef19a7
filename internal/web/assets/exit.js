// Quick exit, in the GOV.UK "Exit this page" pattern. Without JavaScript
// the link still goes to the neutral site; with it, the page blanks at
// once and the neutral site replaces this page in the tab's history, and
// pressing Shift three times (within 5 seconds) does the same.
(function () {
  "use strict";
  var link = document.querySelector("a.exit");
  if (!link) return;
  function leave(e) {
    if (e) e.preventDefault();
    document.documentElement.className += " exiting";
    document.title = "";
    location.replace(link.href);
  }
  link.addEventListener("click", leave);
  var count = 0, timer = 0;
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Shift" || e.repeat) { count = 0; return; }
    count++;
    clearTimeout(timer);
    timer = setTimeout(function () { count = 0; }, 5000);
    if (count >= 3) { count = 0; leave(); }
  });
})();
