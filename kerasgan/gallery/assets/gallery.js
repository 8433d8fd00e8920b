// kerasgan gallery: the live panel of an entry page.
//
// A static copy of the gallery (opened from disk or from any web server)
// shows the panel's note only. Served by `kerasgan serve-gallery`, live.json
// says {"live": true}: the controls appear, and every change fetches
// api/generate?model=NAME&seed=S[&label=K][&truncation=T][&text=...]&n=N,
// a PNG drawn by the entry's SavedModel. The panel's data-state is
// "loading", "ready" or "error", and data-generation counts the images shown.
"use strict";

(function () {
  const panel = document.getElementById("live");
  if (!panel || !panel.dataset.model) return;
  const root = document.body.dataset.root || "";
  const status = document.getElementById("live-status");
  const form = document.getElementById("live-form");
  const image = document.getElementById("live-image");
  const $ = (id) => document.getElementById(id);
  const MAX_SEED = Number($("live-seed").max);

  let latest = 0;
  let timer = null;
  let objectUrl = null;

  function query() {
    const params = new URLSearchParams();
    params.set("model", panel.dataset.model);
    params.set("seed", $("live-seed").value || "0");
    if ($("live-text")) params.set("text", $("live-text").value);
    if ($("live-label")) params.set("label", $("live-label").value);
    if ($("live-truncate") && $("live-truncate").checked) params.set("truncation", $("live-truncation").value);
    params.set("n", $("live-n").value);
    return params;
  }

  function showTruncation() {
    const box = $("live-truncate");
    if (!box) return;
    $("live-truncation").disabled = !box.checked;
    $("live-truncation-value").textContent = box.checked ? $("live-truncation").value : "off";
  }

  async function generate() {
    const params = query();
    if ($("live-text") && !params.get("text").trim()) {
      panel.dataset.state = "error";
      status.textContent = "Type a caption to draw.";
      return;
    }
    const ticket = ++latest;
    panel.dataset.state = "loading";
    status.textContent = "Generating...";
    let response;
    try {
      response = await fetch(root + "api/generate?" + params.toString(), { cache: "no-store" });
    } catch (error) {
      if (ticket !== latest) return;
      panel.dataset.state = "error";
      status.textContent = "The gallery server did not answer: " + error;
      return;
    }
    if (ticket !== latest) return;  // a newer request has been sent
    if (!response.ok) {
      let message = response.status + " " + response.statusText;
      try { message = (await response.json()).error || message; } catch (_) { /* not JSON */ }
      panel.dataset.state = "error";
      status.textContent = message;
      return;
    }
    const blob = await response.blob();
    if (ticket !== latest) return;
    const url = URL.createObjectURL(blob);
    image.onload = () => {
      if (objectUrl) URL.revokeObjectURL(objectUrl);
      objectUrl = url;
      image.hidden = false;
      panel.dataset.query = params.toString();
      panel.dataset.generation = String(Number(panel.dataset.generation || "0") + 1);
      panel.dataset.state = "ready";
      status.textContent = "Drawn by the SavedModel (" + (response.headers.get("X-Generation-Ms") || "?") +
        " ms): " + params.toString().replace(/&/g, ", ");
    };
    image.src = url;
  }

  function later() {
    clearTimeout(timer);
    timer = setTimeout(generate, 150);
  }

  function start() {
    form.hidden = false;
    form.addEventListener("submit", (event) => { event.preventDefault(); generate(); });
    for (const id of ["live-seed", "live-label", "live-n", "live-text"]) {
      if ($(id)) $(id).addEventListener("change", generate);
    }
    if ($("live-truncate")) {
      $("live-truncate").addEventListener("change", () => { showTruncation(); generate(); });
      $("live-truncation").addEventListener("input", () => { showTruncation(); later(); });
    }
    $("live-random").addEventListener("click", () => {
      $("live-seed").value = String(Math.floor(Math.random() * MAX_SEED));
      generate();
    });
    showTruncation();
    generate();
  }

  if (location.protocol !== "http:" && location.protocol !== "https:") return;  // opened from disk
  fetch(root + "live.json", { cache: "no-store" })
    .then((response) => (response.ok ? response.json() : { live: false }))
    .then((info) => {
      if (info.live && (info.models || []).includes(panel.dataset.model)) {
        start();
      } else if (info.live) {
        status.textContent = "This gallery server cannot draw from this entry (its SavedModel is not on the server).";
      } else {
        status.textContent = "This copy of the gallery is static: start `kerasgan serve-gallery` for live generation.";
      }
    })
    .catch(() => { /* a static copy without live.json: keep the note */ });
})();
