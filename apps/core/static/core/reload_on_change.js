// A picker whose choices depend on another field (a budget's lines, a commitment's lines): choosing that
// field reloads the page with it, so the dependent picker lists only what belongs to the choice.
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll("select[data-reload-with]").forEach(function (select) {
    select.addEventListener("change", function () {
      const url = new URL(window.location.href);
      url.searchParams.set(select.dataset.reloadWith, select.value);
      window.location.assign(url);
    });
  });
});
