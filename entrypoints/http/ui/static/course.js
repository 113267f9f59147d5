// A course: its students' averages, each task's spread, on-time share over time, the students
// table and those at risk. Every figure is one the API states; the page only lays them out.
import {
  askForToken, api, el, explain, figures, fmt, notice, plural, setUpToken, table, trendText,
} from "./console.js";
import { axis, draw, palette } from "./charts.js";
import { coalesced, follow } from "./live.js";

const courseId = decodeURIComponent(window.location.pathname.split("/").pop());
const base = `/stats/course/${encodeURIComponent(courseId)}`;
// The API's histogram bins (docs/api.md): [0,1), [1,2) … [9,10].
const BINS = ["0–1", "1–2", "2–3", "3–4", "4–5", "5–6", "6–7", "7–8", "8–9", "9–10"];
const PERIOD_NAMES = { day: "day", week: "week", month: "month" };
const SORTS = {  // column -> the API's sort, and the order a first click asks for
  rank: { sort: "average", order: "desc", label: "task average" },
  student: { sort: "student_id", order: "asc", label: "student id" },
  completed: { sort: "assignments_completed", order: "desc", label: "tasks graded" },
  on_time: { sort: "on_time_percentage", order: "desc", label: "on-time share" },
};
const REASONS = {
  low_average: (risk) => `task average below ${risk.grade_below}`,
  low_on_time: (risk) => `on time less than ${risk.on_time_below}% of the time`,
  declining: () => "each of the last three grades lower than the one before",
};

const state = { groupBy: "week", column: "rank", order: "desc", cursors: [null] };

function studentLink(id) {
  return el("a", { href: `/stats/ui/student/${encodeURIComponent(id)}` }, id);
}

/** A period as the API names it ("2026-03-02T00:00:00Z"), shortened for its grouping. */
function periodLabel(period, groupBy) {
  if (groupBy === "month") return period.slice(0, 7);
  if (groupBy === "week") return `week of ${period.slice(0, 10)}`;
  return period.slice(0, 10);
}

function showDistribution(d) {
  document.getElementById("distribution-summary").textContent = d.student_count
    ? `${plural(d.student_count, "student")} with a task average: mean ${d.mean}, median ${d.median}, ` +
      `from ${d.min} to ${d.max} (quartiles ${d.first_quartile} and ${d.third_quartile}).`
    : "No student has a current task grade yet.";
  figures(document.getElementById("distribution-figures"), [
    ["Students", fmt(d.student_count)], ["Mean", fmt(d.mean)], ["Median", fmt(d.median)],
    ["Lowest", fmt(d.min)], ["Highest", fmt(d.max)], ["Standard deviation", fmt(d.std_dev)],
  ]);
  const colors = palette();
  draw("distribution-chart", `Histogram of the students' task averages. ${
    document.getElementById("distribution-summary").textContent}`, {
    type: "bar",
    data: { labels: BINS, datasets: [{ label: "Students", data: d.histogram,
                                       backgroundColor: colors.series[0] }] },
    options: { plugins: { legend: { display: false } },
               scales: { x: axis("Task average"), y: axis("Students", { min: 0, counts: true }) } },
  });
  document.getElementById("distribution-table").replaceChildren(table(
    "Students per task-average range (the chart's bars)",
    [{ label: "Task average", value: (r) => r.bin },
     { label: "Students", value: (r) => fmt(r.count), num: true }],
    d.histogram.map((count, i) => ({ bin: BINS[i], count })),
  ));
}

function showTasks(view) {
  const tasks = view.tasks;
  const summary = tasks.length
    ? `${plural(tasks.length, "task")} with current grades. Each box spans the first to the third quartile ` +
      "with the median inside; the whiskers reach the lowest and the highest grade."
    : "No task has a current grade yet.";
  document.getElementById("tasks-summary").textContent = summary;
  const colors = palette();
  const labels = tasks.map((t) => t.task_id);
  draw("tasks-chart", `Box plot of each task's current grades. ${summary}`, {
    type: "boxplot",
    data: { labels, datasets: [{
      label: "Current grades",
      data: tasks.map((t) => ({ min: t.min, q1: t.first_quartile, median: t.median,
                                q3: t.third_quartile, max: t.max, mean: t.average })),
      backgroundColor: `${colors.series[0]}33`, borderColor: colors.series[0],
      medianColor: colors.series[1], meanBackgroundColor: colors.series[2],
    }] },
    options: { plugins: { legend: { display: false } },
               scales: { x: axis("Task"), y: axis("Grade", { min: 0, max: 10 }) } },
  });
  draw("tasks-timing-chart", "Stacked bars of each task's grades handed in on time and late.", {
    type: "bar",
    data: { labels, datasets: [
      { label: "On time", data: tasks.map((t) => t.on_time_count), backgroundColor: colors.series[2] },
      { label: "Late", data: tasks.map((t) => t.late_count), backgroundColor: colors.series[1] },
    ] },
    options: { scales: { x: axis("Task", { stacked: true }),
                        y: axis("Grades", { min: 0, stacked: true, counts: true }) } },
  });
  document.getElementById("tasks-table").replaceChildren(table("Each task's current grades", [
    { label: "Task", value: (t) => t.task_id },
    { label: "Graded", value: (t) => fmt(t.graded_count), num: true },
    { label: "Lowest", value: (t) => fmt(t.min), num: true },
    { label: "First quartile", value: (t) => fmt(t.first_quartile), num: true },
    { label: "Median", value: (t) => fmt(t.median), num: true },
    { label: "Third quartile", value: (t) => fmt(t.third_quartile), num: true },
    { label: "Highest", value: (t) => fmt(t.max), num: true },
    { label: "Average", value: (t) => fmt(t.average), num: true },
    { label: "On time", value: (t) => fmt(t.on_time_count), num: true },
    { label: "Late", value: (t) => fmt(t.late_count), num: true },
  ], tasks));
}

function showOnTime(view) {
  const groupBy = view.group_by;
  const rows = view.data;
  const latest = rows[rows.length - 1];
  const summary = latest
    ? `By ${PERIOD_NAMES[groupBy]}, ${plural(rows.length, "period")} with grades. The latest, ` +
      `${periodLabel(latest.period, groupBy)}: ${fmt(latest.percentage, "%")} on time ` +
      `(${latest.on_time_count} of ${latest.total_count}).`
    : "No task grade yet.";
  document.getElementById("on-time-summary").textContent = summary;
  const colors = palette();
  draw("on-time-chart", `Line chart of the share handed in on time. ${summary}`, {
    type: "line",
    data: { labels: rows.map((r) => periodLabel(r.period, groupBy)), datasets: [{
      label: "On time (%)", data: rows.map((r) => r.percentage),
      borderColor: colors.series[0], backgroundColor: colors.series[0], spanGaps: false,
    }] },
    options: { plugins: { legend: { display: false } },
               scales: { x: axis(PERIOD_NAMES[groupBy]), y: axis("On time (%)", { min: 0, max: 100 }) } },
  });
  document.getElementById("on-time-table").replaceChildren(table(
    `Grades handed in on time, by ${PERIOD_NAMES[groupBy]}`,
    [{ label: "Period", value: (r) => periodLabel(r.period, groupBy) },
     { label: "On time", value: (r) => fmt(r.on_time_count), num: true },
     { label: "Graded", value: (r) => fmt(r.total_count), num: true },
     { label: "On time (%)", value: (r) => fmt(r.percentage), num: true }],
    rows,
  ));
}

function sortHeader(column, label) {
  const active = state.column === column;
  const sorted = state.order === "asc" ? "ascending" : "descending";
  return el("th", { scope: "col", "aria-sort": active ? sorted : null },
    el("button", { type: "button", class: "sort", onclick: () => resort(column) }, label));
}

function showStudents(view) {
  const columns = [
    { label: "Rank", head: sortHeader("rank", "Rank"), value: (s) => fmt(s.rank), num: true },
    { label: "Student", head: sortHeader("student", "Student"), value: (s) => studentLink(s.student_id) },
    { label: "Task average", value: (s) => fmt(s.average_grade), num: true },
    { label: "Percentile", value: (s) => fmt(s.percentile), num: true },
    { label: "Course grade average", value: (s) => fmt(s.course_grade_average), num: true },
    { label: "Tasks graded", head: sortHeader("completed", "Tasks graded"),
      value: (s) => fmt(s.assignments_completed), num: true },
    { label: "On time", head: sortHeader("on_time", "On time"),
      value: (s) => fmt(s.on_time_percentage, "%"), num: true },
    { label: "Trend", value: (s) => trendText(s.trend, s.recent_grades) },
  ];
  const page = state.cursors.length;
  const sort = SORTS[state.column];
  document.getElementById("students-summary").textContent =
    `Page ${page}: ${plural(view.items.length, "student")}, by ${sort.label} ` +
    `(${state.order === "asc" ? "ascending" : "descending"}). Rank 1 is the best task ` +
    "average; the percentile is the share of the course's students with a lower one.";
  const students = el("table", { class: "stack" },
    el("caption", {}, `The course's students, page ${page}`),
    el("thead", {}, el("tr", {}, columns.map((c) =>
      c.head || el("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    el("tbody", {}, view.items.map((s) => el("tr", {}, columns.map((c) =>
      el("td", { class: c.num ? "num" : null, "data-label": c.label }, c.value(s)))))));
  document.getElementById("students-table").replaceChildren(students);
  const next = document.getElementById("students-next");
  next.disabled = !view.next_cursor;
  next.onclick = () => { state.cursors.push(view.next_cursor); loadStudents(); };
  const first = document.getElementById("students-first");
  first.disabled = page === 1;
  first.onclick = () => { state.cursors = [null]; loadStudents(); };
  document.getElementById("students-page").textContent = `Page ${page}`;
}

function showAtRisk(risk) {
  const list = document.getElementById("at-risk-list");
  document.getElementById("at-risk-summary").textContent = risk.students.length
    ? `${plural(risk.students.length, "student")} at risk: a task average below ${risk.grade_below}, ` +
      `on time less than ${risk.on_time_below}% of the time` +
      `${risk.declining ? ", or three grades each lower than the last" : ""}.`
    : "No student is at risk.";
  list.replaceChildren(el("ul", { class: "links" }, risk.students.map((s) => el("li", {},
    studentLink(s.student_id),
    el("ul", { class: "reasons", "aria-label": "Why" },
      s.reasons.map((reason) => el("li", {}, REASONS[reason](risk)))),
    el("span", { class: "muted" },
      `task average ${fmt(s.average_grade)}, on time ${fmt(s.on_time_percentage, "%")}, ` +
      `${s.assignments_completed} tasks graded; last grades: ` +
      s.recent_grades.map((g) => `${g.task_id} ${g.grade}`).join(", "))))));
}

async function loadStudents() {
  const sort = SORTS[state.column];
  const cursor = state.cursors[state.cursors.length - 1];
  const query = new URLSearchParams({ sort: sort.sort, order: state.order });
  if (cursor) query.set("cursor", cursor);
  showStudents(await api(`${base}/students?${query}`));
}

function resort(column) {
  state.order = state.column === column && state.order === SORTS[column].order
    ? (state.order === "asc" ? "desc" : "asc") : SORTS[column].order;
  state.column = column;
  state.cursors = [null];
  guarded(loadStudents);
}

async function loadOnTime() {
  showOnTime(await api(`${base}/on_time_percentage?group_by=${state.groupBy}`));
}

/** Everything the page shows, fetched again (on opening, a new token, a live change); the
 *  live stream is followed once the course could be read. */
const load = coalesced(async () => {
  const read = await guarded(() => Promise.all([
    api(`${base}/distribution`).then(showDistribution),
    api(`${base}/tasks`).then(showTasks),
    loadOnTime(),
    loadStudents(),
    api(`${base}/at_risk`).then(showAtRisk),
  ]));
  if (read && !following) {
    following = true;
    follow(`${base}/changes`, load);
  }
});
let following = false;

async function guarded(work) {
  const content = document.getElementById("course-content");
  content.setAttribute("aria-busy", "true");
  try {
    await work();
    content.hidden = false;
    notice("");
    return true;
  } catch (error) {
    content.hidden = true;
    notice(explain(error, `course ${courseId}`), error.status === 401 ? "warn" : "error");
    if (error.status === 401) askForToken();
    return false;
  } finally {
    content.setAttribute("aria-busy", "false");
  }
}

for (const button of document.querySelectorAll("[data-group-by]")) {
  button.addEventListener("click", () => {
    state.groupBy = button.dataset.groupBy;
    for (const other of document.querySelectorAll("[data-group-by]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    guarded(loadOnTime);
  });
}
document.getElementById("course-name").textContent = courseId;
document.title = `${courseId} · ClassConnect Stats`;
setUpToken(load);
load();
