// "Embed this concept" on a concept page: shows the copy buttons when the clipboard can be
// written, and copies a snippet's text. A file, not an inline script: pages run scripts from
// this origin only (Content-Security-Policy). The panel's data-copied says "Copied".
(function () {
  "use strict";
  var panel = document.getElementById("embed");
  if (!panel || !navigator.clipboard) return;
  var copied = panel.getAttribute("data-copied") || "Copied";
  panel.querySelectorAll(".embed-copy").forEach(function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      var code = document.getElementById(button.getAttribute("data-copy"));
      navigator.clipboard.writeText(code.textContent).then(function () {
        button.textContent = copied;
        setTimeout(function () { button.textContent = label; }, 1500);
      });
    });
  });
})();
