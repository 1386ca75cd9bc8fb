// A V8 inspector session on one worker's isolate, through Miniflare's inspector proxy
// (startRuntime(..., { inspect: true })): used by the CPU profile and the soak's heap samples.

const TIMEOUT_MS = 30_000;

/** Connects to the isolate of `workerName` (a few tries); resolves { send(method, params), close() }. */
export async function connectInspector(mf, workerName, tries = 3) {
  for (let i = 1; ; i++) {
    try {
      return await connectOnce(mf, workerName);
    } catch (err) {
      if (i >= tries) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function connectOnce(mf, workerName) {
  const inspectorUrl = await mf.getInspectorURL();
  const targets = await (await fetch(new URL("/json", inspectorUrl.href.replace(/^ws/, "http")))).json();
  const target = targets.find((t) => t.webSocketDebuggerUrl.endsWith(`/${workerName}`));
  if (!target) throw new Error(`no inspector target for ${workerName}`);
  // Miniflare's inspector proxy only accepts local origins (Node's WebSocket sends a user agent).
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { Origin: "http://localhost" } });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("inspector connection timed out")), TIMEOUT_MS);
    ws.onopen = () => {
      clearTimeout(timer);
      resolve();
    };
    ws.onerror = () => reject(new Error("inspector connection failed"));
    ws.onclose = (e) => reject(new Error(`inspector connection closed (${e.code})`));
  });
  let nextId = 1;
  const pending = new Map();
  ws.onmessage = (event) => {
    const msg = JSON.parse(event.data);
    if (msg.id && pending.has(msg.id)) {
      pending.get(msg.id)(msg);
      pending.delete(msg.id);
    }
  };
  // A message the proxy drops must not leave the harness waiting forever (nor let Node exit
  // silently with nothing left to wait on): every call times out.
  ws.onclose = () => {
    for (const [, settle] of pending) settle({ error: { message: "inspector connection closed" } });
    pending.clear();
  };
  const send = (method, params = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`${method}: no answer from the inspector in ${TIMEOUT_MS / 1000} s`));
      }, TIMEOUT_MS);
      pending.set(id, (msg) => {
        clearTimeout(timer);
        if (msg.error) reject(new Error(`${method}: ${msg.error.message}`));
        else resolve(msg.result);
      });
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/**
 * Sends `method` and waits for its answer. An idle isolate may leave inspector messages
 * unanswered until some event wakes it (seen with workerd here), so once the answer is late
 * `poke` (a cheap request to the worker) is sent every 200 ms until it arrives.
 */
export async function sendAwake(session, method, params, poke = async () => {}, { after = 250 } = {}) {
  let waiting = true;
  const poking = (async () => {
    await new Promise((r) => setTimeout(r, after));
    while (waiting) {
      await poke().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  try {
    return await session.send(method, params);
  } finally {
    waiting = false;
    await poking;
  }
}

/** The isolate's JS heap after a full garbage collection (bytes); see sendAwake for `poke`. */
export async function heapAfterGc(session, poke = async () => {}) {
  await sendAwake(session, "HeapProfiler.collectGarbage", {}, poke, { after: 0 });
  const usage = await sendAwake(session, "Runtime.getHeapUsage", {}, poke, { after: 0 });
  return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
}

/**
 * CPU the isolate spent in a V8 CPU profile, ms: the number of its samples that are not "(idle)"
 * (JS, the runtime's native code while in the isolate "(program)", garbage collection) times the
 * sampling interval. In workerd, V8 samples an isolate only while it holds the thread, and each
 * sample's time delta spans whatever the thread did since the last one (other isolates, local
 * D1's SQLite, time off the CPU): weighting samples by their deltas just splits wall time.
 */
export function activeMs(profile, intervalMicros) {
  const idle = new Set(profile.nodes.filter((n) => n.callFrame?.functionName === "(idle)").map((n) => n.id));
  let n = 0;
  for (const id of profile.samples) if (!idle.has(id)) n++;
  return (n * intervalMicros) / 1000;
}
