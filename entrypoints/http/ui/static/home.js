// Home: open a course or a student by id, and the queue's state when the token may read it.
import { api, explain, figures, fmt, setUpToken, table } from "./console.js";

function openBy(formId, inputId, path) {
  document.getElementById(formId).addEventListener("submit", (event) => {
    event.preventDefault();
    const id = document.getElementById(inputId).value.trim();
    if (id) window.location.assign(`/stats/ui/${path}/${encodeURIComponent(id)}`);
  });
}

async function showQueue() {
  const section = document.getElementById("queue");
  const summary = document.getElementById("queue-summary");
  const list = document.getElementById("queue-figures");
  const groups = document.getElementById("queue-groups");
  section.setAttribute("aria-busy", "true");
  list.hidden = true;
  groups.replaceChildren();
  try {
    const queue = await api("/stats/admin/queue");
    summary.textContent = `Stream ${queue.stream}: ${queue.length} entries, ` +
      `${queue.dead_letters} dead letters, ${queue.groups.length} consumer groups.`;
    figures(list, [
      ["Entries in the stream", fmt(queue.length)],
      ["Dead letters", fmt(queue.dead_letters)],
    ]);
    groups.replaceChildren(table("Consumer groups", [
      { label: "Group", value: (g) => g.name },
      { label: "Consumers", value: (g) => fmt(g.consumers), num: true },
      { label: "Pending", value: (g) => fmt(g.pending), num: true },
      { label: "Not yet delivered", value: (g) => fmt(g.lag), num: true },
      { label: "Oldest pending", value: (g) => fmt(g.oldest_pending_age, " s"), num: true },
    ], queue.groups));
  } catch (error) {
    summary.replaceChildren(error.status === 404
      ? "This service records grades in-process: there is no queue to watch."
      : explain(error, "the queue (an admin token can)"));
  } finally {
    section.setAttribute("aria-busy", "false");
  }
}

openBy("open-course", "course-id", "course");
openBy("open-student", "student-id", "student");
setUpToken(showQueue);
showQueue();
