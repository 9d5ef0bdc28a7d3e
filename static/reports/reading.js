// 适老化 reading settings: a text size and a high-contrast mode, kept in this browser
// (localStorage) and applied to <html> before the page is drawn, so a reader who chose
// large text never sees the page flash small first. Loaded in <head> on every page.
(function () {
  "use strict";
  var SIZES = ["normal", "large", "larger"];
  var root = document.documentElement;

  function stored(key, fallback) {
    try {
      return window.localStorage.getItem(key) || fallback;
    } catch (e) {
      return fallback; // storage disabled: the settings last for this page only
    }
  }

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* nothing to keep it in */
    }
  }

  function apply(size, contrast) {
    SIZES.forEach(function (s) {
      root.classList.toggle("text-size-" + s, s === size);
    });
    root.classList.toggle("high-contrast", contrast);
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.textSize === size));
    });
    var toggle = document.getElementById("contrast-toggle");
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(contrast));
    }
  }

  var size = stored("goireport.textSize", "normal");
  if (SIZES.indexOf(size) < 0) {
    size = "normal";
  }
  var contrast = stored("goireport.contrast", "off") === "on";
  apply(size, contrast);

  document.addEventListener("DOMContentLoaded", function () {
    apply(size, contrast);
    document.querySelectorAll("[data-text-size]").forEach(function (button) {
      button.addEventListener("click", function () {
        size = button.dataset.textSize;
        store("goireport.textSize", size);
        apply(size, contrast);
      });
    });
    var toggle = document.getElementById("contrast-toggle");
    if (toggle) {
      toggle.addEventListener("click", function () {
        contrast = !contrast;
        store("goireport.contrast", contrast ? "on" : "off");
        apply(size, contrast);
      });
    }
  });
})();
