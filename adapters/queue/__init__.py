"""Everything about the event queue, behind the ports EventQueue, QueueInspector and DeadLetters
(application.ports), which report failures as QueueUnavailable:

- `memory`: a queue held in memory until delivered by hand (tests);
- `in_process`: no queue at all: events are recorded as they are published;
- `window`: the one batching window, used by both sides:
  - `coalescing`: the API's POSTs arriving together go out as one message,
  - `recording`: the worker records the messages it processes at once in one transaction;
- `taskiq_publisher`: publishing is kicking the worker's ingest task;
- `delivery` and `retry`: what a task does with its message (acknowledge, dead-letter) and how
  it retries its use case through an unavailable store;
- `redis/`: the durable queue, a Redis stream (broker, batched acks, dead letters, retention by
  acknowledgement, inspection, stream ids).
"""
