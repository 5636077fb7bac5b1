/* "Copier le lien": our own few lines, no third-party script. The button stays
   hidden where the Clipboard API is missing; the other share links are plain. */
(function () {
  "use strict";
  if (!navigator.clipboard) {
    return;
  }
  document.querySelectorAll(".share__copy").forEach(function (button) {
    button.hidden = false;
    var label = button.textContent;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.dataset.url || window.location.href).then(function () {
        button.textContent = button.dataset.done || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });
})();
