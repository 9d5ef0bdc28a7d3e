// Autosave of the page being edited, and a warning before leaving it with unsaved input.
// A short while after the clerk stops typing, the whole page's form goes to the server
// (reports.views.editor.autosave), which validates it with the same forms and the same
// version check as 保存本部分 and stores every field that passed. A field that failed is
// left exactly as typed, marked with the server's message, and keeps the page "unsaved"
// until it is corrected. A report changed by someone else meanwhile stops the autosave;
// 保存本部分 then shows the differences, as it always has.
(function () {
  "use strict";

  const DELAY_MS = 1500;

  function setup(form) {
    const status = document.getElementById("autosave-status");
    const version = document.getElementById("id_version");
    let timer = null;
    let inflight = null;
    let edits = 0; // input events seen
    let savedEdits = 0; // of those, the ones the last answered autosave carried
    let stopped = false;
    let leaving = false;
    const refused = new Map(); // input name -> the server's messages

    function dirty() {
      return timer !== null || inflight !== null || edits !== savedEdits || refused.size > 0;
    }

    function show(text, state) {
      status.textContent = text;
      status.dataset.state = state;
    }

    function mark(errors) {
      form.querySelectorAll(".autosave-refused").forEach((el) => {
        el.classList.remove("autosave-refused", "is-invalid");
        el.removeAttribute("aria-invalid");
        el.removeAttribute("title");
      });
      refused.clear();
      Object.entries(errors).forEach(([name, messages]) => {
        refused.set(name, messages);
        const el = form.elements.namedItem(name);
        if (el && el.classList) {
          el.classList.add("autosave-refused", "is-invalid");
          el.setAttribute("aria-invalid", "true");
          el.title = messages.join(" ");
        }
      });
    }

    // The sub-sections of 一 that the autosave created get their ids, so that the next
    // save changes them rather than adding them again; deleted ones leave the page.
    function applySectionIds(ids) {
      const initial = form.elements.namedItem("general-INITIAL_FORMS");
      if (!initial || !ids) return;
      let top = parseInt(initial.value, 10);
      Object.entries(ids).forEach(([index, pk]) => {
        const name = "general-" + index + "-id";
        let input = form.elements.namedItem(name);
        if (!input) {
          const heading = form.elements.namedItem("general-" + index + "-heading");
          if (!heading) return;
          input = document.createElement("input");
          input.type = "hidden";
          input.name = name;
          heading.closest("fieldset").appendChild(input);
        }
        input.value = String(pk);
        top = Math.max(top, parseInt(index, 10) + 1);
      });
      form.querySelectorAll("fieldset.general-form").forEach((fieldset) => {
        const del = fieldset.querySelector("input[name$='-DELETE']");
        const id = fieldset.querySelector("input[name$='-id']");
        const saved = id && id.value;
        const empty = Array.from(fieldset.querySelectorAll("input[type=text], textarea")).every((el) => el.value.trim() === "");
        // Deleted and saved, or an empty form below a saved one (now counted as an
        // existing form, so it would be refused for its empty heading): off the page.
        if (del && ((del.checked && saved) || (!saved && empty && indexOf(fieldset) < top))) {
          del.checked = true;
          fieldset.hidden = true;
        }
      });
      initial.value = String(top);
    }

    function indexOf(fieldset) {
      const any = fieldset.querySelector("[name^='general-']");
      const match = any ? /^general-(\d+)-/.exec(any.name) : null;
      return match ? parseInt(match[1], 10) : -1;
    }

    // Each page's state in the navigation and the 完成度, as the server found them.
    function showProgress(progress) {
      if (!progress) return;
      Object.entries(progress.pages).forEach(([key, page]) => {
        document.querySelectorAll("[data-page-state='" + key + "']").forEach((badge) => {
          badge.className = "badge page-state state-" + page.state;
          badge.textContent = page.label;
        });
      });
      const percent = document.getElementById("completion-percent");
      if (percent) percent.textContent = progress.percent + "%";
      const count = document.getElementById("completion-count");
      if (count) count.textContent = Object.keys(progress.pages).length + "个部分中已完成" + progress.done + "个";
      const bar = document.querySelector("progress.completion-bar");
      if (bar) { bar.value = progress.percent; bar.textContent = progress.percent + "%"; }
    }

    function save(keepalive) {
      clearTimeout(timer);
      timer = null;
      if (stopped) return Promise.resolve();
      if (inflight) return inflight.then(() => save(keepalive));
      const sent = edits;
      show("正在自动保存……", "saving");
      inflight = fetch(form.dataset.autosaveUrl, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        keepalive: !!keepalive,
      })
        .then((response) => response.json().then((body) => ({ response: response, body: body })))
        .then(({ response, body }) => {
          if (!response.ok) {
            stopped = true;
            show(body.message || "自动保存失败，请点击“保存本部分”。", "stopped");
            return;
          }
          version.value = String(body.version);
          applySectionIds(body.section_ids);
          mark(body.errors || {});
          savedEdits = sent;
          const problems = Object.values(body.errors || {}).flat();
          if (problems.length) {
            show("已自动保存 " + body.saved_at + "。以下内容未能保存，已按原样保留，请更正：" + problems.join("；"), "partial");
          } else {
            show("已自动保存 " + body.saved_at, "saved");
          }
          showProgress(body.progress);
        })
        .catch(() => {
          show("自动保存未成功（网络中断？），输入仍保留在页面上，稍后将重试。", "retry");
        })
        .finally(() => {
          inflight = null;
        });
      return inflight;
    }

    function edited() {
      edits += 1;
      if (stopped) return;
      clearTimeout(timer);
      timer = setTimeout(() => save(false), DELAY_MS);
      show("有尚未保存的修改……", "pending");
    }

    form.addEventListener("input", edited);
    form.addEventListener("change", (event) => {
      if (event.target.type === "checkbox" || event.target.type === "date") edited();
    });
    form.addEventListener("submit", (event) => {
      clearTimeout(timer);
      timer = null;
      if (inflight) {
        // Sent now, the save would carry the version this autosave is replacing and be
        // refused as a conflict with the clerk's own edit: send it once the version is new.
        event.preventDefault();
        const submitter = event.submitter;
        inflight.then(() => form.requestSubmit(submitter || undefined));
        return;
      }
      leaving = true;
    });

    // A link followed while a save is only waiting for its delay: save first, then go.
    document.addEventListener("click", (event) => {
      const link = event.target.closest ? event.target.closest("a[href]") : null;
      if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
      if (!dirty() || refused.size > 0 || stopped || link.target) return;
      event.preventDefault();
      save(false).then(() => {
        if (!dirty()) {
          leaving = true;
          window.location.assign(link.href);
        }
      });
    });

    window.addEventListener("beforeunload", (event) => {
      if (leaving || !dirty()) return;
      if (timer !== null) save(true);
      event.preventDefault();
      event.returnValue = "";
    });
    // The tab closes or the page goes away: what is still waiting goes out regardless.
    window.addEventListener("pagehide", () => {
      if (!leaving && !stopped && (timer !== null || edits !== savedEdits)) save(true);
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.getElementById("section-form");
    if (form && form.dataset.autosaveUrl) setup(form);
  });
})();
