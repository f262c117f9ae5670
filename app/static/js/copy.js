// Copy buttons beside text a person would otherwise retype (a bank account, a transfer
// message). The text is on the page without this script and can be selected by hand; the
// buttons stay hidden unless this browser can copy. Served from /static: the
// Content-Security-Policy allows no inline script.
(function () {
  "use strict";

  var RESET_AFTER_MS = 2500;

  function canCopy() {
    return Boolean(navigator.clipboard && window.isSecureContext) ||
      Boolean(document.queryCommandSupported && document.queryCommandSupported("copy"));
  }

  // Older browsers, and pages served over plain http, have no async clipboard: copy
  // through a hidden text area instead.
  function copyWithSelection(text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    var copied = false;
    try {
      copied = document.execCommand("copy");
    } finally {
      document.body.removeChild(area);
    }
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return copyWithSelection(text);
      });
    }
    return copyWithSelection(text);
  }

  function announce(button, message) {
    var block = button.closest(".vietqr");
    var status = block && block.querySelector("[data-copy-status]");
    if (status) {
      status.textContent = "";
      // A change of text, even to the same words, is what a screen reader announces.
      window.setTimeout(function () { status.textContent = message; }, 50);
    }
  }

  function showCopied(button) {
    // Remember the resting text and name once: a second tap while "copied" shows must not
    // take "copied" for them.
    if (!button.dataset.label) {
      button.dataset.label = button.textContent;
      button.dataset.name = button.getAttribute("aria-label") || "";
    }
    // The accessible name follows the visible text, so speech users can say what they see.
    button.textContent = button.dataset.copied;
    button.setAttribute("aria-label", button.dataset.copied);
    button.classList.add("copied");
    announce(button, button.dataset.copied);
    window.clearTimeout(Number(button.dataset.timer || 0));
    button.dataset.timer = String(window.setTimeout(function () {
      button.textContent = button.dataset.label;
      button.setAttribute("aria-label", button.dataset.name);
      button.classList.remove("copied");
    }, RESET_AFTER_MS));
  }

  function selectValue(button) {
    // Copying failed: select the text so that the phone's own "copy" is one tap away.
    var value = button.parentNode.querySelector(".copy-value");
    if (value && window.getSelection) {
      window.getSelection().selectAllChildren(value);
    }
  }

  function init() {
    if (!canCopy()) {
      return;
    }
    document.querySelectorAll("button.copy-button[data-copy]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        copy(button.dataset.copy).then(
          function () { showCopied(button); },
          function () { selectValue(button); }
        );
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
