// Live totals, the R1 balance and keyboard movement for the report's tables.
// The server recomputes and validates everything on save; this script only lets the
// clerk see the result while typing. Everything it knows of the template — which cell
// is a count and which the fee, which cells add up to which total, the R1 balance and
// how a typed number is read — comes from #table-config, which the server writes from
// the template definition and the number rules (reports.views.reports.table_config).
(function () {
  "use strict";

  function keyOf(el) {
    return el.dataset.table + ":" + el.dataset.row + ":" + (el.dataset.col || "");
  }

  // Read a typed value the way reports/spec/numbers.py does: NFKC (full-width digits),
  // the Chinese comma as a separator, spaces dropped, then the shared patterns.
  function makeParser(rules) {
    const spaces = new RegExp(rules.spaces, "g");
    const grouped = new RegExp(rules.grouped);
    const patterns = { count: new RegExp(rules.count.pattern), fee: new RegExp(rules.fee.pattern) };
    function prepare(raw) {
      return (raw || "").normalize("NFKC").replace(/，/g, ",").replace(/[−－]/g, "-").replace(spaces, "");
    }
    function ungroup(text) {
      if (text.indexOf(",") < 0) return text;
      const dot = text.indexOf(".");
      const integer = dot < 0 ? text : text.slice(0, dot);
      if (!grouped.test(integer)) return null;
      return integer.replace(/,/g, "") + (dot < 0 ? "" : text.slice(dot));
    }
    return function parse(kind, raw) {
      let text = prepare(raw);
      if (kind === "fee" && text.endsWith(rules.fee.unit)) text = text.slice(0, -rules.fee.unit.length);
      if (text === "") return { blank: true, value: 0 };
      text = ungroup(text);
      if (text === null || !patterns[kind].test(text)) return { invalid: true, value: 0 };
      if (kind === "count") {
        const value = parseInt(text, 10);
        if (value > rules.count.max) return { invalid: true, value: 0 };
        return { value: value };
      }
      const parts = text.split(".");
      if ((parts[1] || "").length > rules.fee.decimals) return { invalid: true, value: 0 };
      if (parts[0].replace(/^0+/, "").length > rules.fee.integerDigits) return { invalid: true, value: 0 };
      return { value: parseFloat(text) };
    };
  }

  function setupTotals(config) {
    const parse = makeParser(config.numbers);
    const inputs = Array.from(document.querySelectorAll("input.cell-input"));
    const byKey = new Map();
    inputs.forEach((input) => byKey.set(keyOf(input), input));
    const outputs = new Map();
    document.querySelectorAll("output.total").forEach((o) => outputs.set(keyOf(o), o));

    function sum(parts) {
      let total = 0, known = 0, invalid = false;
      parts.forEach((p) => { if (p.invalid) invalid = true; else if (!p.blank) { known += 1; total += p.value; } });
      return { value: total, blank: known === 0, invalid: invalid };
    }

    function recompute() {
      const values = new Map();
      inputs.forEach((input) => {
        const result = parse(config.kinds[keyOf(input)] || "count", input.value);
        input.classList.toggle("is-invalid", !!result.invalid);
        values.set(keyOf(input), result);
      });
      // The sums come in the order totals are derived: a total's parts come first.
      config.sums.forEach((s) => {
        if (!s.parts.every((k) => values.has(k))) return;
        const result = sum(s.parts.map((k) => values.get(k)));
        values.set(s.total, result);
        const out = outputs.get(s.total);
        if (!out) return;
        out.textContent = result.invalid ? "?" : (result.blank ? "" : String(result.value));
        out.classList.toggle("text-danger", !!result.invalid);
      });
      document.querySelectorAll("td.balance").forEach((td) => {
        const balance = config.balance[td.dataset.balanceCol];
        if (!balance.in.concat(balance.out).every((k) => values.has(k))) return;
        const left = sum(balance.in.map((k) => values.get(k)));
        const right = sum(balance.out.map((k) => values.get(k)));
        td.classList.remove("balanced", "unbalanced");
        if (left.invalid || right.invalid) { td.textContent = "?"; return; }
        if (left.blank && right.blank) { td.textContent = "—"; return; }
        const diff = left.value - right.value;
        if (diff === 0) { td.textContent = "✓ 平衡"; td.classList.add("balanced"); }
        else { td.textContent = "✗ 相差" + Math.abs(diff); td.classList.add("unbalanced"); }
        td.title = balance.label + "：第一项加第二项之和" + left.value + "，第三项加第四项之和" + right.value;
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

  // A block copied from Excel or WPS (rows by line, cells by TAB) pasted into a cell
  // fills the table from that cell rightwards and downwards, by the table's own rows
  // and columns: a computed total in the way keeps its place and is recomputed, not
  // overwritten. Each value goes into its input as typed, so that the same reading and
  // marking as typing (recompute) and the server's validation (autosave, save) judge it.
  function setupPaste(state) {
    const rows = Array.from(document.querySelectorAll("table.table-report tbody tr"))
      .map((tr) => Array.from(tr.querySelectorAll("td.num")))
      .filter((cells) => cells.length);
    const status = document.getElementById("paste-status");

    function parseBlock(text) {
      const lines = text.replace(/\r\n?/g, "\n").split("\n");
      while (lines.length && lines[lines.length - 1] === "") lines.pop();
      return lines.map((line) => line.split("\t").map((v) => v.replace(/^"(.*)"$/, "$1").trim()));
    }

    function locate(input) {
      for (let r = 0; r < rows.length; r++) {
        const c = rows[r].findIndex((td) => td.contains(input));
        if (c >= 0) return [r, c];
      }
      return null;
    }

    state.inputs.forEach((input) => {
      input.addEventListener("paste", (event) => {
        const text = (event.clipboardData || window.clipboardData).getData("text");
        if (!/[\t\n\r]/.test(text.replace(/[\r\n]+$/, ""))) return; // one value: as usual
        const start = locate(input);
        if (!start) return;
        event.preventDefault();
        const block = parseBlock(text);
        let filled = 0, outside = 0, computed = 0;
        block.forEach((values, i) => {
          const row = rows[start[0] + i];
          values.forEach((value, j) => {
            const td = row ? row[start[1] + j] : null;
            const target = td ? td.querySelector("input.cell-input") : null;
            if (!td) { outside += 1; return; }
            if (!target || target.disabled) { computed += 1; return; }
            target.value = value;
            target.dispatchEvent(new Event("input", { bubbles: true }));
            filled += 1;
          });
        });
        state.recompute();
        if (status) {
          let text = "已粘贴" + block.length + "行，填入" + filled + "个单元格";
          if (computed) text += "；" + computed + "个值落在自动计算的合计上，未填入";
          if (outside) text += "；" + outside + "个值超出表格，未填入";
          status.textContent = text + "。";
        }
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
      setupPaste(state);
      setupFillZero(state);
    }
    setupGeneralFormset();
  });
})();
