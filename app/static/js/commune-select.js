// Address forms (macros/address.html). The page works without this script: a button lists
// the communes of a newly chosen province. Here that button is pressed on change, and the
// search box that shares its place filters the long commune list, ignoring accents
// ("hoan kiem" finds Hoàn Kiếm). Only visibility changes (CSS .scripted), never the layout.
(function () {
  "use strict";

  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .replace(/[đĐ]/g, "d").toLowerCase();
  }

  document.querySelectorAll("select[data-commune-refresh]").forEach(function (select) {
    var button = select.form && select.form.querySelector("button[name='show_communes']");
    if (!button) return;
    select.addEventListener("change", function () {
      select.form.requestSubmit(button);
    });
  });

  document.querySelectorAll("select[data-commune-list]").forEach(function (select) {
    var tools = select.parentNode.querySelector(".commune-tools");
    if (!tools) return;
    tools.classList.add("scripted");
    if (select.options.length < 2) return;  // nothing to search: the box stays hidden
    var search = tools.querySelector(".commune-search");
    tools.classList.add("searchable");
    search.addEventListener("input", function () {
      var query = fold(search.value.trim());
      var matches = [];
      Array.prototype.forEach.call(select.options, function (option) {
        if (!option.value) return;
        var shown = fold(option.text).indexOf(query) !== -1;
        option.hidden = !shown;
        if (shown) matches.push(option);
      });
      if (query && matches.length === 1) select.value = matches[0].value;
    });
  });
})();
