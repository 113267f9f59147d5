// Following a live stream of changes (server-sent events read with fetch(), so the token goes
// in the Authorization header, never in the URL), with the header's indicator saying whether
// the page is live. The stream only says *that* something changed; the page then reads the API.
import { authHeaders } from "./console.js";

const RETRY_MS = [1000, 2000, 5000, 10000];

function indicate(state, text) {
  const live = document.getElementById("live");
  live.hidden = false;
  live.className = `live ${state}`;
  live.dataset.state = state;
  live.textContent = text;
}

/** Runs `work` now, or once more right after the run in progress (never two at once). */
export function coalesced(work) {
  let running = null;
  let again = false;
  const run = async () => {
    if (running) { again = true; return running; }
    running = (async () => {
      do { again = false; await work(); } while (again);
    })();
    try { await running; } finally { running = null; }
  };
  return run;
}

function* events(buffer) {
  let end;
  while ((end = buffer.text.indexOf("\n\n")) >= 0) {
    const block = buffer.text.slice(0, end);
    buffer.text = buffer.text.slice(end + 2);
    let name = "message";
    let data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) name = line.slice(7);
      else if (line.startsWith("data: ")) data += line.slice(6);
    }
    if (!block.startsWith(":")) yield { name, data: data ? JSON.parse(data) : {} };
  }
}

/** Follows `path` for as long as the page is open; `onChange` after each change, and after a
 *  reconnection (changes may have been missed meanwhile). */
export function follow(path, onChange) {
  let failures = 0;
  let connectedBefore = false;
  const live = document.getElementById("live");
  live.dataset.changes = "0";

  async function connect() {
    let refused = false;
    try {
      const response = await fetch(path, {
        cache: "no-store", headers: { Accept: "text/event-stream", ...authHeaders() },
      });
      if (response.status === 401 || response.status === 403) {
        refused = true;
        indicate("down", "Live updates off: your token does not allow them");
        return;
      }
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      const buffer = { text: "" };
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer.text += value;
        for (const event of events(buffer)) {
          failures = 0;
          indicate(event.data.listening === false ? "down" : "up",
            event.data.listening === false
              ? "Live: paused, the service is not hearing changes right now" : "Live");
          if (event.name === "ready" && connectedBefore) onChange();
          if (event.name === "ready") connectedBefore = true;
          if (event.name === "change") {
            live.dataset.changes = String(Number(live.dataset.changes) + 1);
            onChange();
          }
        }
      }
    } catch (error) {
      failures += 1;
    } finally {
      if (!refused) {
        if (failures) indicate("down", "Live updates paused: the stream is down, reconnecting…");
        setTimeout(connect, failures ? RETRY_MS[Math.min(failures, RETRY_MS.length) - 1] : 0);
      }
    }
  }
  indicate("down", "Live: connecting…");
  connect();
}
