// What every console page shares: the token, calls to the API, polite refusals, DOM helpers.
// Figures are shown as the API states them; nothing here computes a statistic.

const TOKEN_KEY = "classconnect-stats.token";

export const token = {
  get: () => sessionStorage.getItem(TOKEN_KEY),
  set: (value) => sessionStorage.setItem(TOKEN_KEY, value),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
};

export function authHeaders() {
  const value = token.get();
  return value ? { Authorization: `Bearer ${value}` } : {};
}

/** The API refused or failed: status and the problem document's words. */
export class ApiError extends Error {
  constructor(status, title, detail) {
    super(detail || title || `HTTP ${status}`);
    this.status = status;
    this.title = title;
    this.detail = detail;
  }
}

/** GET (or `method`) a path of the API as JSON, with the token; ApiError unless 2xx. */
export async function api(path, { method = "GET", signal } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method, signal, cache: "no-store",
      headers: { Accept: "application/json", ...authHeaders() },
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, "The service did not answer", "Check that it is running, then reload.");
  }
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) {
    const problem = typeof body === "object" && body ? body : {};
    throw new ApiError(response.status, problem.title, problem.detail);
  }
  return body;
}

/** A sentence for a person about an ApiError, `what` naming what was asked for. */
export function explain(error, what) {
  switch (error.status) {
    case 401:
      return `This service needs a token to show ${what}. Paste yours under “Access token” ` +
        `above; it stays in this tab only. (${error.detail || error.title || "401"})`;
    case 403:
      return `Sorry, your token does not give access to ${what}. Ask for a token that does, ` +
        `or open a page your token covers. (The service said: ${error.detail || error.title})`;
    case 400:
      return `The service cannot read this address: ${error.detail || error.title}`;
    case 0:
      return `${error.title}. ${error.detail}`;
    default:
      return `The service could not show ${what} (${error.status}: ` +
        `${error.detail || error.title || "error"}). Try again in a moment.`;
  }
}

/** The page's one message line; kind: info | warn | error. Empty text hides it. */
export function notice(text, kind = "info") {
  const box = document.getElementById("notice");
  box.hidden = !text;
  box.className = `notice ${kind}`;
  box.textContent = text || "";
}

/** An element with attributes and children (strings become text, never markup). */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** A figure as the API gave it, or a dash for none. */
export function fmt(value, suffix = "") {
  if (value === null || value === undefined) return "–";
  return `${value}${suffix}`;
}

/** "1 student", "3 students": a count the API gave, with its noun. */
export function plural(count, noun) {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

const TREND_MARKS = { rising: "↗", declining: "↘", mixed: "↔" };

/** A trend as the API names it, with the grades it was read from: "↗ rising: 6.5, 7, 8". */
export function trendText(trend, grades) {
  const shown = grades.map((g) => g.grade).join(", ");
  if (!trend) return grades.length ? `too few grades yet: ${shown}` : "–";
  return `${TREND_MARKS[trend]} ${trend}: ${shown}`;
}

/** A table: columns are {label, value(row) -> string|Node, num}. Narrow screens stack it. */
export function table(caption, columns, rows) {
  return el("table", { class: "stack" },
    el("caption", {}, caption),
    el("thead", {}, el("tr", {}, columns.map((c) =>
      el("th", { scope: "col", class: c.num ? "num" : null }, c.label)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, columns.map((c) =>
      el("td", { class: c.num ? "num" : null, "data-label": c.label }, c.value(row)))))));
}

/** A definition list of figures: [[label, value], ...]. */
export function figures(list, pairs) {
  list.replaceChildren(...pairs.map(([label, value]) =>
    el("div", {}, el("dt", {}, label), el("dd", {}, value))));
  list.hidden = false;
}

/** The token form in the page's header. `onChange` runs after a token is set or forgotten. */
export function setUpToken(onChange) {
  const state = document.getElementById("token-state");
  const panel = document.getElementById("token-panel");
  const form = document.getElementById("token-form");
  const input = document.getElementById("token-input");
  const show = () => { state.textContent = token.get() ? "kept for this tab" : "none"; };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = input.value.trim().replace(/^Bearer\s+/i, "");
    if (!value) return;
    token.set(value);
    input.value = "";
    panel.open = false;
    show();
    onChange();
  });
  document.getElementById("token-forget").addEventListener("click", () => {
    token.clear();
    input.value = "";
    show();
    onChange();
  });
  show();
}

/** Opens the token panel and moves focus to it (after a 401). */
export function askForToken() {
  const panel = document.getElementById("token-panel");
  panel.open = true;
}
