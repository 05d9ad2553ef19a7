// The report form's scripts. Without JavaScript the form works the same:
// the server refuses a text that is too long with the text kept, and asks
// for a longer wait instead of the proof of work; the receipt is selected
// whole by a tap instead of copied by the button.

// The receipt's copy button: shown only where the clipboard can be
// written; it copies the digits in their groups, as shown.
(function () {
  "use strict";
  var button = document.getElementById("copy-receipt"), receipt = document.getElementById("receipt");
  if (!button || !receipt || !navigator.clipboard || !window.isSecureContext) return;
  var status = document.getElementById("copy-status");
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(receipt.textContent).then(function () {
      if (status) status.textContent = button.getAttribute("data-done");
    });
  });
})();
//
// The counter: "What happened?" shows how many characters it holds of the
// most it takes, so that nothing pasted is cut without a word (the field
// has no maxlength: the server refuses, keeping the text, instead).
(function () {
  "use strict";
  var field = document.getElementById("what_happened"), count = document.getElementById("what-count");
  if (!field || !count) return;
  var max = parseInt(field.getAttribute("data-max"), 10);
  function update() {
    var n = Array.from(field.value).length;
    count.textContent = n + " / " + max;
    count.className = n > max ? "count count-over" : "count";
    count.hidden = false;
  }
  field.addEventListener("input", update);
  update();
})();

// The report form's proof of work. The server asks for a SHA-256 hash of
// "token:n" with data-pow-bits leading zero bits; this finds n while the
// visitor writes, and holds the form back until it has. Without
// JavaScript (or without crypto.subtle, on plain http) the form is sent
// without it and the server asks only for a longer wait.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pow-bits]");
  if (!form || !window.crypto || !crypto.subtle || !window.TextEncoder) return;
  var bits = parseInt(form.getAttribute("data-pow-bits"), 10);
  var token = form.elements.token.value, out = form.elements.pow;
  var enc = new TextEncoder(), done = false, waiting = false;
  function zeros(buf) {
    var b = new Uint8Array(buf), n = 0;
    for (var i = 0; i < b.length; i++) {
      if (b[i] === 0) { n += 8; continue; }
      var x = b[i]; while ((x & 0x80) === 0) { n++; x <<= 1; }
      return n;
    }
    return n;
  }
  function search(start) {
    var batch = [], i;
    for (i = 0; i < 256; i++) batch.push(crypto.subtle.digest("SHA-256", enc.encode(token + ":" + (start + i))));
    Promise.all(batch).then(function (hashes) {
      for (i = 0; i < hashes.length; i++) {
        if (zeros(hashes[i]) >= bits) {
          out.value = String(start + i); done = true;
          if (waiting) form.submit();
          return;
        }
      }
      search(start + 256);
    });
  }
  form.addEventListener("submit", function (e) {
    if (done) return;
    e.preventDefault(); waiting = true;
    var b = form.querySelector("button[type=submit]");
    if (b) { b.disabled = true; b.setAttribute("aria-busy", "true"); }
  });
  search(0);
})();
