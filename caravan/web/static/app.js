// caravan's planner page: a little plain JavaScript, no build step, nothing from the network.
"use strict";

function filterList(input, items) {
  // show the items whose data-search holds every word typed
  const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
  for (const el of items()) {
    const text = el.dataset.search || "";
    el.hidden = !words.every((w) => text.includes(w)) || el.dataset.levelHidden === "1";
  }
}

function setupPlanForm() {
  const level = document.getElementById("level");
  const search = document.getElementById("site-search");
  if (!level || !search) return;
  const sites = () => document.querySelectorAll("#site-list .site");
  const apply = () => {
    for (const el of sites()) el.dataset.levelHidden = el.dataset.level === level.value ? "0" : "1";
    filterList(search, sites);
  };
  level.addEventListener("change", apply);
  search.addEventListener("input", apply);
  apply();
}

function setupLeftOut() {
  const search = document.getElementById("left-search");
  if (!search) return;
  const items = () => document.querySelectorAll("#left-out .unvisited");
  search.addEventListener("input", () => filterList(search, items));
}

function setupJob() {
  // poll the job's state; show the solver's best and bound; open the plan when done
  const box = document.getElementById("job");
  if (!box || box.dataset.state !== "running") return;
  const tick = async () => {
    let data;
    try {
      const res = await fetch(box.dataset.status, { credentials: "same-origin" });
      data = await res.json();
    } catch (e) {
      setTimeout(tick, 1000);
      return;
    }
    const words = JSON.parse(box.dataset.words || "{}");
    const stage = (data.progress || {}).stage || "";
    document.getElementById("job-state").textContent = words[data.state] || data.state;
    document.getElementById("job-stage").textContent = words[stage] || stage;
    const body = document.querySelector("#progress tbody");
    body.replaceChildren();
    for (const [prov, p] of Object.entries((data.progress || {}).provinces || {})) {
      const tr = document.createElement("tr");
      for (const v of [prov, p.elapsed, p.best, p.bound === null ? "" : p.bound]) {
        const td = document.createElement("td");
        td.textContent = String(v);
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
    if (data.state === "running") setTimeout(tick, 500);
    else window.location.reload();
  };
  setTimeout(tick, 300);
}

function setupMapClicks() {
  // a click on a stop of the map (same origin) selects its visit in the schedule
  const frame = document.getElementById("map");
  if (!frame) return;
  frame.addEventListener("load", () => {
    const doc = frame.contentDocument;
    if (!doc) return;
    doc.addEventListener("click", (event) => {
      const stop = event.target.closest && event.target.closest("[data-code]");
      if (!stop) return;
      for (const tr of document.querySelectorAll("tr.visit.selected")) tr.classList.remove("selected");
      const row = document.querySelector(`tr.visit[data-code="${CSS.escape(stop.dataset.code)}"]`);
      if (row) {
        row.classList.add("selected");
        row.scrollIntoView({ block: "nearest" });
      }
    });
  });
}

document.addEventListener("DOMContentLoaded", () => {
  setupPlanForm();
  setupLeftOut();
  setupJob();
  setupMapClicks();
});
