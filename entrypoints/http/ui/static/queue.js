// The queue, for operators: its state, the consumers, processed and failed per minute, the
// dead letters with their payload and reason, and the actions (replay, delete, pause, resume),
// each confirmed first and answered by the JSON API. Every figure is one the API states.
import { askForToken, api, el, explain, figures, fmt, notice, setUpToken, table } from "./console.js";
import { axis, draw, palette } from "./charts.js";

const QUEUE = "/stats/admin/queue";
const PAGE_SIZE = 20;
const REFRESH_MS = 5000;
const state = { cursors: [null], deadLetters: null, refused: false };

const $ = (id) => document.getElementById(id);
// "2026-12-06T23:05:00Z" -> "23:05" (the API's minutes are UTC)
const clock = (iso) => iso.slice(11, 16);
const when = (iso) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** Asks the person to confirm; resolves true for yes. */
function confirmed(text, yes) {
  const dialog = $("confirm");
  $("confirm-text").textContent = text;
  $("confirm-yes").textContent = yes;
  dialog.returnValue = "";
  dialog.showModal();
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "yes"), { once: true });
  });
}

/** Confirms, calls the API, says what happened, shows the new state. */
async function act({ question, yes, method, path, done }) {
  if (!(await confirmed(question, yes))) return;
  try {
    const answer = await api(path, { method });
    notice(done(answer), "info");
  } catch (error) {
    const refusal = error.status === 404 || error.status === 409;
    notice(refusal ? error.detail : explain(error, "this action"), refusal ? "warn" : "error");
  }
  await refresh({ letters: true });
}

function refused(error) {
  $("queue-content").hidden = true;
  state.refused = true;
  if (error.status === 404) {
    notice("This service records each grade in its own process (run --in-process): there is no " +
      "queue to watch. `make run` runs the whole service, with a queue and a worker.", "info");
    return;
  }
  if (error.status === 401) askForToken();
  notice(explain(error, "the queue (an operator's page: an admin token can)"),
    error.status === 401 || error.status === 403 ? "warn" : "error");
}

function showState(queue) {
  const paused = queue.paused_since !== null;
  $("state-summary").textContent = paused
    ? `Paused since ${when(queue.paused_since)}: the workers take nothing new from stream ` +
      `${queue.stream}.`
    : `Consuming: the workers record what arrives in stream ${queue.stream}.`;
  figures($("state-figures"), [
    ["Entries in the stream", fmt(queue.length)],
    ["Dead letters", fmt(queue.dead_letters)],
    ["Consumption", paused ? "paused" : "running"],
  ]);
  $("pause").hidden = paused;
  $("resume").hidden = !paused;
  $("groups-table").replaceChildren(queue.groups.length
    ? table("Consumer groups", [
      { label: "Group", value: (g) => g.name },
      { label: "Consumers", value: (g) => fmt(g.consumers), num: true },
      { label: "Pending (delivered, not yet recorded)", value: (g) => fmt(g.pending), num: true },
      { label: "Not yet delivered", value: (g) => fmt(g.lag), num: true },
      { label: "Oldest pending entry's age", value: (g) => fmt(g.oldest_pending_age, " s"),
        num: true },
    ], queue.groups)
    : el("p", {}, "No consumer group yet: no worker has started."));
}

function showConsumers(queue) {
  const rows = queue.groups.flatMap((g) => g.consumer_states.map((c) => ({ group: g.name, ...c })));
  $("consumers-summary").textContent = rows.length
    ? "Each worker process, with the entries it holds and how long since it last read."
    : "No consumer listed yet: a worker is listed once it has been handed an entry.";
  $("consumers-table").replaceChildren(rows.length ? table("Consumers", [
    { label: "Group", value: (r) => r.group },
    { label: "Consumer", value: (r) => r.name },
    { label: "Holding", value: (r) => fmt(r.pending), num: true },
    { label: "Idle", value: (r) => fmt(r.idle, " s"), num: true },
  ], rows) : "");
}

function showThroughput(queue) {
  const minutes = queue.throughput;
  const last = minutes[minutes.length - 1];
  const summary = `Grade events recorded (processed) and given up on (failed, dead-lettered) ` +
    `by all workers, each minute of the last hour, from ${clock(minutes[0].minute)} to ` +
    `${clock(last.minute)} UTC. This minute so far: ${last.processed} processed, ` +
    `${last.failed} failed.`;
  $("throughput-summary").textContent = summary;
  const colors = palette();
  draw("throughput-chart", summary, {
    type: "bar",
    data: {
      labels: minutes.map((m) => clock(m.minute)),
      datasets: [
        { label: "Processed", data: minutes.map((m) => m.processed),
          backgroundColor: colors.series[0] },
        { label: "Failed", data: minutes.map((m) => m.failed),
          backgroundColor: colors.series[1] },
      ],
    },
    options: { scales: { x: axis("Minute (UTC)", { stacked: true }),
                         y: axis("Grade events", { min: 0, stacked: true, counts: true }) } },
  });
  $("throughput-table").replaceChildren(table("Processed and failed per minute", [
    { label: "Minute (UTC)", value: (m) => clock(m.minute) },
    { label: "Processed", value: (m) => fmt(m.processed), num: true },
    { label: "Failed", value: (m) => fmt(m.failed), num: true },
  ], minutes));
}

function letterView(letter) {
  const shown = letter.payload === null ? letter.message : JSON.stringify(letter.payload, null, 2);
  const list = el("dl", { class: "figures" });
  figures(list, [
    ["Failed at", when(letter.failed_at)],
    ["Attempts", fmt(letter.attempts)],
    ["From queue entry", fmt(letter.source_id)],
  ]);
  return el("article", { class: "letter", "aria-labelledby": `letter-${letter.id}` },
    el("h3", { id: `letter-${letter.id}` }, `Dead letter ${letter.id}`),
    list,
    el("p", { class: "reason" }, el("strong", {}, "Reason: "), letter.error),
    el("details", {}, el("summary", {}, "Payload"),
      el("pre", { class: "payload", tabindex: 0, "aria-label": `Payload of ${letter.id}` }, shown)),
    el("div", { class: "row" },
      el("button", { type: "button", "data-action": "replay", onclick: () => act({
        question: `Queue dead letter ${letter.id} again? Its grades count once however often ` +
          "they are replayed.",
        yes: "Replay it", method: "POST", path: `${QUEUE}/dead-letters/${letter.id}/replay`,
        done: () => `Dead letter ${letter.id} was queued again.`,
      }) }, "Replay"),
      el("button", { type: "button", class: "secondary", "data-action": "delete",
                     onclick: () => act({
        question: `Delete dead letter ${letter.id} for good? Its grades will not be recorded.`,
        yes: "Delete it", method: "DELETE", path: `${QUEUE}/dead-letters/${letter.id}`,
        done: () => `Dead letter ${letter.id} was deleted.`,
      }) }, "Delete")));
}

async function showDeadLetters() {
  const after = state.cursors[state.cursors.length - 1];
  const query = `?limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ""}`;
  const page = await api(`${QUEUE}/dead-letters${query}`);
  const count = state.deadLetters ?? 0;
  $("dead-letters-summary").textContent = count
    ? `${count} message${count === 1 ? "" : "s"} the workers could not record, oldest first. ` +
      "Replay one once its cause is fixed, or delete it."
    : "No dead letters: every message was recorded.";
  $("replay-all").hidden = !count;
  $("dead-letters-list").replaceChildren(...page.dead_letters.map(letterView));
  $("dead-letters-next").disabled = !page.next_after;
  $("dead-letters-next").onclick = () => { state.cursors.push(page.next_after); showDeadLetters(); };
  $("dead-letters-first").disabled = state.cursors.length === 1;
  $("dead-letters-pager").hidden = !page.next_after && state.cursors.length === 1;
}

async function refresh({ letters = false } = {}) {
  let queue;
  try {
    queue = await api(QUEUE);
  } catch (error) {
    refused(error);
    return;
  }
  if (state.refused) notice("");  // what an action reports stays until the next action
  state.refused = false;
  $("queue-content").hidden = false;
  showState(queue);
  showConsumers(queue);
  showThroughput(queue);
  if (letters || queue.dead_letters !== state.deadLetters) {
    state.deadLetters = queue.dead_letters;
    try {
      await showDeadLetters();
    } catch (error) {
      notice(explain(error, "the dead letters"), "error");
    }
  }
}

$("pause").addEventListener("click", () => act({
  question: "Pause consumption? The workers finish what they hold and take nothing new until " +
    "you resume; grades are still accepted and wait in the queue.",
  yes: "Pause", method: "POST", path: `${QUEUE}/pause`,
  done: () => "Paused: the workers stop taking new entries within about two seconds.",
}));
$("resume").addEventListener("click", () => act({
  question: "Resume consumption? The workers take entries from the queue again.",
  yes: "Resume", method: "POST", path: `${QUEUE}/resume`,
  done: () => "Resumed: the workers take entries again within about two seconds.",
}));
$("replay-all").addEventListener("click", () => act({
  question: "Queue every dead letter again? Their grades count once however often they are " +
    "replayed.",
  yes: "Replay all", method: "POST", path: `${QUEUE}/dead-letters/replay`,
  done: (answer) => `${answer.replayed} dead letter${answer.replayed === 1 ? " was" : "s were"} ` +
    "queued again.",
}));
$("dead-letters-first").addEventListener("click", () => {
  state.cursors = [null];
  showDeadLetters();
});

setUpToken(() => refresh({ letters: true }));
window.addEventListener("load", () => {
  refresh({ letters: true });
  setInterval(() => { if (!$("confirm").open) refresh(); }, REFRESH_MS);
});
