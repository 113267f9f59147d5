// A student: each of their courses with their averages, standing and the trend of their task
// grades, and their task average beside their classmates' (under the API's aliases for a
// student's own token). Every figure is one the API states.
import {
  askForToken, api, el, explain, figures, fmt, notice, plural, setUpToken, table, trendText,
} from "./console.js";
import { axis, draw, palette } from "./charts.js";

const studentId = decodeURIComponent(window.location.pathname.split("/").pop());
const base = `/stats/student/${encodeURIComponent(studentId)}`;

function courseCard(course, comparison, index) {
  const id = `course-${index}`;
  const summary = `Task average ${fmt(course.task_average)}, rank ${fmt(course.rank)}, ` +
    `percentile ${fmt(course.percentile)}; ${plural(course.assignments_completed, "task")} graded, ` +
    `${fmt(course.on_time_percentage, "%")} on time. Trend: ` +
    `${trendText(course.trend, course.task_grades.slice(-3))}.`;
  const peers = comparison.other_students.map((p) => ({
    name: p.alias ?? p.student_id, average: p.average_grade, count: p.grade_count,
  }));
  return el("section", { class: "card course", "aria-labelledby": `${id}-title`, "data-course": course.course_id },
    el("h2", { id: `${id}-title` }, course.course_id),
    el("p", { class: "summary" }, summary),
    el("dl", { class: "figures" }, [
      ["Course grade average", fmt(course.average_grade)], ["Task average", fmt(course.task_average)],
      ["Rank", fmt(course.rank)], ["Percentile", fmt(course.percentile)],
      ["Tasks graded", fmt(course.assignments_completed)],
      ["On time", fmt(course.on_time_percentage, "%")],
    ].map(([label, value]) => el("div", {}, el("dt", {}, label), el("dd", {}, value)))),
    el("h3", {}, "Task grades over time"),
    el("div", { class: "chart" }, el("canvas", { id: `${id}-chart` })),
    el("details", { class: "alt" }, el("summary", {}, "Show the figures as a table"),
      table(`Current task grades in ${course.course_id}, oldest first`, [
        { label: "Task", value: (g) => g.task_id },
        { label: "Graded at", value: (g) => g.graded_at },
        { label: "Grade", value: (g) => fmt(g.grade), num: true },
      ], course.task_grades)),
    el("h3", {}, "Beside the class"),
    el("p", {}, `This student's task average: ${fmt(comparison.student_average)}` +
      `${comparison.warning ? ` (${comparison.warning})` : ""}. ` +
      (peers.length ? "The others, best first:" : "No other student has a task grade here.")),
    el("div", { class: "peers" }, peers.length ? table(
      `Other students' task averages in ${course.course_id}`, [
        { label: "Student", value: (p) => p.name },
        { label: "Task average", value: (p) => fmt(p.average), num: true },
        { label: "Tasks graded", value: (p) => fmt(p.count), num: true },
      ], peers) : null));
}

function drawTrend(course, index) {
  const colors = palette();
  draw(`course-${index}-chart`,
    `Line chart of the ${plural(course.task_grades.length, "current task grade")} in ` +
    `${course.course_id}, oldest first. ${trendText(course.trend, course.task_grades.slice(-3))}.`, {
      type: "line",
      data: { labels: course.task_grades.map((g) => `${g.task_id} (${g.graded_at.slice(0, 10)})`),
              datasets: [{ label: "Grade", data: course.task_grades.map((g) => g.grade),
                           borderColor: colors.series[0], backgroundColor: colors.series[0] }] },
      options: { plugins: { legend: { display: false } },
                 scales: { x: axis("Task (graded on)"), y: axis("Grade", { min: 0, max: 10 }) } },
    });
}

export async function load() {
  const container = document.getElementById("courses");
  const summary = document.getElementById("student-summary");
  try {
    const view = await api(`${base}/courses`);
    const comparisons = await Promise.all(view.courses.map((c) =>
      api(`${base}/course/${encodeURIComponent(c.course_id)}/task/average`)));
    summary.textContent = view.courses.length
      ? `${plural(view.courses.length, "course")} with grades.`
      : "This student has no grades yet.";
    container.replaceChildren(...view.courses.map((c, i) => courseCard(c, comparisons[i], i)));
    view.courses.forEach(drawTrend);
    notice("");
  } catch (error) {
    container.replaceChildren();
    summary.textContent = "";
    notice(explain(error, `student ${studentId}`), error.status === 401 ? "warn" : "error");
    if (error.status === 401) askForToken();
  }
}

document.getElementById("student-name").textContent = studentId;
document.title = `Student ${studentId} · ClassConnect Stats`;
setUpToken(load);
load();
