// Live totals, the R1 balance and keyboard movement for the report's tables.
// The server recomputes and validates everything on save; this script only lets the
// clerk see the result while typing. Structure comes from #table-config, which the
// server writes from the template definition.
(function () {
  "use strict";

  const MAX_COUNT = 2147483647;

  // Same normalisation as the server: full-width digits, separators and spaces.
  function parseCount(raw) {
    let text = (raw || "").normalize("NFKC").replace(/，/g, ",").replace(/[\s\u3000\u00a0]+/g, "");
    if (text === "") return { blank: true, value: 0 };
    if (/^\d{1,3}(,\d{3})+$/.test(text)) text = text.replace(/,/g, "");
    if (!/^\d+$/.test(text)) return { invalid: true, value: 0 };
    const value = parseInt(text, 10);
    if (value > MAX_COUNT) return { invalid: true, value: 0 };
    return { value: value };
  }

  function setupTotals(config) {
    const inputs = Array.from(document.querySelectorAll("input.cell-input"));
    const byKey = new Map();
    inputs.forEach((input) => byKey.set(input.dataset.table + ":" + input.dataset.row + ":" + input.dataset.col, input));
    const outputs = new Map();
    document.querySelectorAll("output.total").forEach((o) =>
      outputs.set(o.dataset.table + ":" + o.dataset.row + ":" + o.dataset.col, o));

    function read(table, row, col) {
      const input = byKey.get(table + ":" + row + ":" + col);
      if (!input) return { value: 0, blank: true };
      return parseCount(input.value);
    }

    function sum(parts) {
      let total = 0, known = 0, invalid = false;
      parts.forEach((p) => { if (p.invalid) invalid = true; else if (!p.blank) { known += 1; total += p.value; } });
      return { value: total, blank: known === 0, invalid: invalid };
    }

    function show(key, result) {
      const out = outputs.get(key);
      if (!out) return;
      out.textContent = result.invalid ? "?" : (result.blank ? "" : String(result.value));
      out.classList.toggle("text-danger", !!result.invalid);
    }

    function recompute() {
      inputs.forEach((input) => {
        input.classList.toggle("is-invalid", !!parseCount(input.value).invalid);
      });
      const apps = {};
      const rows = new Set();
      inputs.forEach((i) => { if (i.dataset.table === "applications") rows.add(i.dataset.row); });
      rows.forEach((row) => {
        apps[row] = {};
        config.applicantColumns.forEach((col) => { apps[row][col] = read("applications", row, col); });
        apps[row].total = sum(config.applicantColumns.map((col) => apps[row][col]));
        show("applications:" + row + ":total", apps[row].total);
      });
      if (rows.size) {
        const handled = {};
        config.applicantColumns.concat(["total"]).forEach((col) => {
          handled[col] = sum(config.outcomeRows.map((row) => apps[row][col]));
          show("applications:handled_total:" + col, handled[col]);
        });
        apps.handled_total = handled;
        document.querySelectorAll("td.balance").forEach((td) => {
          const col = td.dataset.balanceCol;
          const left = sum(config.balanceIn.map((r) => apps[r][col]));
          const right = sum(config.balanceOut.map((r) => apps[r][col]));
          td.classList.remove("balanced", "unbalanced");
          if (left.invalid || right.invalid) { td.textContent = "?"; return; }
          if (left.blank && right.blank) { td.textContent = "—"; return; }
          const diff = left.value - right.value;
          if (diff === 0) { td.textContent = "✓ 平衡"; td.classList.add("balanced"); }
          else { td.textContent = "✗ 相差" + diff; td.classList.add("unbalanced"); }
          td.title = config.columnLabels[col] + "：第一项加第二项之和" + left.value + "，第三项加第四项之和" + right.value;
        });
      }
      const blocks = new Set();
      inputs.forEach((i) => { if (i.dataset.table === "review_litigation") blocks.add(i.dataset.row); });
      blocks.forEach((block) => {
        show("review_litigation:" + block + ":total",
          sum(config.reviewParts.map((p) => read("review_litigation", block, p))));
      });
    }

    inputs.forEach((input) => input.addEventListener("input", recompute));
    recompute();
    return { inputs: inputs, recompute: recompute };
  }

  // Arrow keys and Enter move between cells like in a spreadsheet.
  function setupKeyboard(inputs) {
    const grid = [];
    document.querySelectorAll("table.table-report tbody tr").forEach((tr) => {
      const row = Array.from(tr.querySelectorAll("input.cell-input"));
      if (row.length) grid.push(row);
    });
    function locate(input) {
      for (let r = 0; r < grid.length; r++) {
        const c = grid[r].indexOf(input);
        if (c >= 0) return [r, c];
      }
      return null;
    }
    function focusAt(r, c) {
      if (r < 0 || r >= grid.length) return false;
      const row = grid[r];
      const target = row[Math.min(c, row.length - 1)];
      target.focus();
      target.select();
      return true;
    }
    inputs.forEach((input) => {
      input.addEventListener("keydown", (event) => {
        const pos = locate(input);
        if (!pos) return;
        const [r, c] = pos;
        const atStart = input.selectionStart === 0 && input.selectionEnd === 0;
        const atEnd = input.selectionStart === input.value.length;
        const allSelected = input.selectionStart === 0 && input.selectionEnd === input.value.length;
        let moved = false;
        if (event.key === "ArrowDown" || (event.key === "Enter" && !event.shiftKey)) moved = focusAt(r + 1, c) || event.key === "Enter";
        else if (event.key === "ArrowUp" || (event.key === "Enter" && event.shiftKey)) moved = focusAt(r - 1, c) || event.key === "Enter";
        else if (event.key === "ArrowLeft" && (atStart || allSelected)) moved = c > 0 ? focusAt(r, c - 1) : focusAt(r - 1, 99);
        else if (event.key === "ArrowRight" && (atEnd || allSelected)) moved = c < grid[r].length - 1 ? focusAt(r, c + 1) : focusAt(r + 1, 0);
        if (moved) event.preventDefault();
      });
    });
  }

  function setupFillZero(state) {
    const button = document.getElementById("fill-zero");
    if (!button) return;
    button.addEventListener("click", () => {
      state.inputs.forEach((input) => { if (!input.disabled && input.value.trim() === "") input.value = "0"; });
      state.recompute();
    });
  }

  function setupGeneralFormset() {
    const button = document.getElementById("add-general");
    const template = document.getElementById("general-empty-form");
    if (!button || !template) return;
    const total = document.getElementById("id_general-TOTAL_FORMS");
    button.addEventListener("click", () => {
      const index = parseInt(total.value, 10);
      const html = template.innerHTML.replace(/__prefix__/g, String(index));
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const fieldset = holder.firstElementChild;
      document.getElementById("general-forms").appendChild(fieldset);
      total.value = String(index + 1);
      const heading = fieldset.querySelector("input[name$='-heading']");
      if (heading) heading.focus();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const configNode = document.getElementById("table-config");
    if (configNode) {
      const state = setupTotals(JSON.parse(configNode.textContent));
      setupKeyboard(state.inputs);
      setupFillZero(state);
    }
    setupGeneralFormset();
  });
})();
