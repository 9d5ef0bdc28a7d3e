// The reviewer's 批注 form on an editing page: clicking a cell of the table chooses it
// as what the 批注 is about (the select stays the way to do it from the keyboard).
(function () {
  "use strict";
  const select = document.getElementById("annotation-field");
  const body = document.getElementById("annotation-body");
  if (!select) return;
  document.querySelectorAll(".table-report").forEach(function (table) {
    table.classList.add("annotating");
    table.addEventListener("click", function (event) {
      const cell = event.target.closest("td[data-field]");
      if (!cell) return;
      const field = cell.dataset.field;
      if (!Array.from(select.options).some(function (o) { return o.value === field; })) return;
      select.value = field;
      table.querySelectorAll("td.annotation-chosen").forEach(function (td) {
        td.classList.remove("annotation-chosen");
      });
      cell.classList.add("annotation-chosen");
      body.focus();
    });
  });
})();
