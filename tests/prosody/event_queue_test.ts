import assert from "node:assert/strict";
import { EventQueue } from "./event_queue.ts";

Deno.test("an event pushed before the wait is kept for it", async () => {
  const queue = new EventQueue<number>("numbers");
  queue.push(1);
  queue.push(2);
  assert.equal(await queue.next((n) => n === 2, 1000, "two"), 2);
  assert.deepEqual(queue.pending, [1]);
});

Deno.test("a waiter gets the next matching event; others stay buffered", async () => {
  const queue = new EventQueue<string>("words");
  const waiting = queue.next((w) => w.startsWith("b"), 1000, "a b-word");
  queue.push("apple");
  queue.push("banana");
  assert.equal(await waiting, "banana");
  assert.deepEqual(queue.pending, ["apple"]);
});

Deno.test("a wait times out with a message naming the queue and the event", async () => {
  const queue = new EventQueue<number>("alice messages");
  await assert.rejects(
    queue.next(() => true, 5, "reply"),
    /^Error: alice messages: no reply within 5 ms$/,
  );
  queue.push(3); // the timed-out waiter is gone: the event is buffered
  assert.deepEqual(queue.pending, [3]);
});

Deno.test("close rejects current and later waits", async () => {
  const queue = new EventQueue<number>("q");
  const waiting = queue.next(() => true, 1000, "anything");
  queue.close(new Error("gone"));
  await assert.rejects(waiting, /gone/);
  await assert.rejects(queue.next(() => true, 1000, "anything"), /gone/);
});
