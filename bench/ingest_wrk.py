"""The ingest load from `wrk`: single-grade POSTs built by a Lua script, cheap enough that the load
generator is not what limits the measurement.

Every id is derived from the run's tag, the wrk thread and a counter, so the accepted grades can
be checked afterwards without wrk keeping a list of them:
- student `s` of thread `t`: `{tag}-{t:04x}-4000-8000-{s:012x}`, enrolled in
  `courses[(t * 1000003 + s * 7919) % len(courses)]`, graded like the Python client grades (every
  task once, a course grade after each half of the tasks);
- the event of plan position `p` (kind `k`: 0 task, 1 course) for student `s`:
  `{tag}-{t:04x}-4{k:03x}-8{p:03x}-{s:012x}`. The answer's body echoes it, so each thread counts the
  accepted POSTs (200) per student and per kind from the responses alone.

Each thread stops POSTing at `stop_at` (CLOCK_MONOTONIC, the clock of Python's time.monotonic);
from then on it sends GET /stats/health until every POST it sent has been answered, then stops.
So a POST is either answered (200, counted; or another status, counted as failed) or, if it never
was within wrk's run, reported as unconfirmed. In `done` wrk writes what every thread counted.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

TAIL_SECONDS = 3  # wrk keeps running this long after stop_at, for the last answers
PROBE_PATH = "/stats/health"


@dataclass
class WrkStudent:
    thread: int
    index: int
    task_grades: int
    course_grades: int


@dataclass
class WrkResult:
    posts_sent: int = 0
    posts_answered: int = 0
    statuses: dict[str, int] = field(default_factory=dict)  # of the POSTs' answers
    students: list[WrkStudent] = field(default_factory=list)
    requests: int = 0  # every request wrk completed (the health GETs of the tail too)
    errors: dict[str, int] = field(default_factory=dict)
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0

    @property
    def unconfirmed(self) -> int:
        """POSTs sent that were never answered (timed out, or still open when wrk stopped)."""
        return self.posts_sent - self.posts_answered


def student_id(tag: str, thread: int, index: int) -> str:
    return f"{tag}-{thread:04x}-4000-8000-{index:012x}"


def course_of(courses: list[str], thread: int, index: int) -> str:
    return courses[(thread * 1000003 + index * 7919) % len(courses)]


def command(
    wrk: str, base_url: str, script: Path, *, threads: int, connections: int, duration: float
) -> list[str]:
    seconds = math.ceil(duration) + TAIL_SECONDS
    return [
        wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s",
        "-s", str(script), base_url,
    ]


def lua_script(
    *, tag: str, courses: list[str], tasks: list[str], stop_at: float, graded_day: str, out: Path
) -> str:
    config = {
        "tag": tag, "courses": courses, "tasks": tasks, "stop_at": stop_at,
        "graded_day": graded_day, "out": str(out), "probe": PROBE_PATH,
    }
    return "local cfg = " + _lua_value(config) + "\n" + _LUA


def parse_result(path: Path) -> WrkResult:
    result = WrkResult()
    for line in path.read_text().splitlines():
        kind, *fields = line.split()
        if kind == "thread":
            result.posts_sent += int(fields[1])
            result.posts_answered += int(fields[2])
        elif kind == "student":
            thread, index, tasks, courses = map(int, fields)
            result.students.append(WrkStudent(thread, index, tasks, courses))
        elif kind == "status":
            result.statuses[fields[0]] = result.statuses.get(fields[0], 0) + int(fields[1])
        elif kind == "summary":
            summary = json.loads(" ".join(fields))
            result.requests = summary["requests"]
            result.errors = summary["errors"]
            result.p50_ms, result.p99_ms = summary["p50_ms"], summary["p99_ms"]
            result.max_ms = summary["max_ms"]
    return result


def _lua_value(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "{" + ",".join(_lua_value(v) for v in value) + "}"
    if isinstance(value, dict):
        return "{" + ",".join(f"{k}={_lua_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


_LUA = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } ingest_timespec;
int clock_gettime(int clk_id, ingest_timespec *tp);
]]
local now_buffer = ffi.new("ingest_timespec")
local function monotonic()
  ffi.C.clock_gettime(1, now_buffer)  -- CLOCK_MONOTONIC
  return tonumber(now_buffer.tv_sec) + tonumber(now_buffer.tv_nsec) / 1e9
end

-- A student's grades, in order: nil is a course grade (after each half of the tasks).
local plan = {}
local half = math.floor(#cfg.tasks / 2)
for i = 1, half do plan[#plan + 1] = cfg.tasks[i] end
plan[#plan + 1] = false
for i = half + 1, #cfg.tasks do plan[#plan + 1] = cfg.tasks[i] end
plan[#plan + 1] = false

local all_threads = {}
function setup(thread)
  all_threads[#all_threads + 1] = thread
  thread:set("thread_id", #all_threads)
end

-- Per thread (each has its own Lua state); read by done() through thread:get.
posts_sent, posts_answered, students = 0, 0, 0
tasks_ok, courses_ok, statuses = {}, {}, {}
local position = #plan + 1
local student, student_uuid, course = -1, nil, nil
local stopping, verified = false, false
local probe, headers

function init(args)
  math.randomseed(thread_id * 7919)
  probe = wrk.format("GET", cfg.probe)
  headers = {["Content-Type"] = "application/json"}
end

local function finish_if_answered()
  if stopping and posts_answered == posts_sent then wrk.thread:stop() end
end

function request()
  -- wrk calls request() once on the first thread to check the script, without sending it.
  if not verified and thread_id == 1 then verified = true return probe end
  verified = true
  if stopping or monotonic() >= cfg.stop_at then
    stopping = true
    finish_if_answered()
    return probe
  end
  if position > #plan then
    student = student + 1
    students = student + 1
    position = 1
    student_uuid = string.format("%s-%04x-4000-8000-%012x", cfg.tag, thread_id, student)
    course = cfg.courses[(thread_id * 1000003 + student * 7919) % #cfg.courses + 1]
  end
  local task = plan[position]
  local kind = task and 0 or 1
  local event = string.format("%s-%04x-4%03x-8%03x-%012x", cfg.tag, thread_id, kind,
    position, student)
  local body = string.format(
    '{"student_id":"%s","course_id":"%s",%s"grade":%.1f,"on_time":%s,' ..
    '"graded_at":"%sT%02d:%02d:%02d+00:00","event_id":"%s"}',
    student_uuid, course, task and ('"task_id":"' .. task .. '",') or "",
    math.random(0, 100) / 10, math.random() < 0.9 and "true" or "false",
    cfg.graded_day, math.random(0, 23), math.random(0, 59), math.random(0, 59), event)
  position = position + 1
  posts_sent = posts_sent + 1
  return wrk.format("POST", task and "/stats/student/task/grade" or "/stats/student/grade",
    headers, body)
end

function response(status, headers, body)
  -- a GET of the tail: the probe's 200 carries no event id (an accepted POST's 200 does)
  if status == 200 and not body:find('"event_id"', 1, true) then return end
  posts_answered = posts_answered + 1
  local kind, index
  if status == 200 then
    kind, index = body:match('"event_id":%s*"%x+%-%x+%-4(%x%x%x)%-8%x%x%x%-(%x+)"')
  end
  if kind then
    index = tonumber(index, 16)
    if tonumber(kind, 16) == 0 then
      tasks_ok[index] = (tasks_ok[index] or 0) + 1
    else
      courses_ok[index] = (courses_ok[index] or 0) + 1
    end
  else
    local key = status == 200 and "200-unparsed" or tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
  finish_if_answered()
end

function done(summary, latency, requests)
  local f = assert(io.open(cfg.out, "w"))
  for _, t in ipairs(all_threads) do
    local id = t:get("thread_id")
    f:write(string.format("thread %d %d %d\n", id, t:get("posts_sent"), t:get("posts_answered")))
    local tasks, courses = t:get("tasks_ok"), t:get("courses_ok")
    for s = 0, t:get("students") - 1 do
      f:write(string.format("student %d %d %d %d\n", id, s, tasks[s] or 0, courses[s] or 0))
    end
    for key, n in pairs(t:get("statuses")) do
      f:write(string.format("status %s %d\n", key, n))
    end
  end
  local e = summary.errors
  f:write(string.format('summary {"requests": %d, "errors": {"connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d}, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f}\n', summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3, latency.max / 1e3))
  f:close()
end
"""
