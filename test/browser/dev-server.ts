// The local dev server (`npm run dev`: local D1 migrations, then wrangler dev) for the browser tests.
// On free ports by default; BROWSER_TEST_PORT pins the port (the inspector takes port + 1000), and
// BROWSER_TEST_BASE_URL points the tests at a server that is already running instead.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { join } from "node:path";

const SERVER_START_MS = 150_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface DevServer {
  base: string;
  stop(): Promise<void>;
}

/** Up when `readyPath` answers 2xx. */
export async function startDevServer(readyPath = "/openapi.json"): Promise<DevServer> {
  if (process.env.BROWSER_TEST_BASE_URL) {
    return { base: process.env.BROWSER_TEST_BASE_URL.replace(/\/$/, ""), stop: async () => undefined };
  }
  const pinned = Number(process.env.BROWSER_TEST_PORT) || 0;
  const port = pinned || (await freePort());
  const inspectorPort = pinned ? pinned + 1000 : await freePort();
  const base = `http://localhost:${port}`;
  let log = "";
  const child: ChildProcess = spawn(
    "npm",
    [
      "run",
      "dev",
      "--",
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: join(import.meta.dirname, "..", ".."),
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true, // its own process group: npm, scripts/dev.mjs, wrangler and workerd end together
    },
  );
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  let exited = false;
  child.on("exit", () => (exited = true));
  const server = { base, stop: () => stop(child) };

  const deadline = Date.now() + SERVER_START_MS;
  while (Date.now() < deadline) {
    if (exited) throw new Error(`npm run dev exited before serving:\n${log}`);
    try {
      const res = await fetch(`${base}${readyPath}`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return server;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  await server.stop();
  throw new Error(`npm run dev did not serve ${base}${readyPath} within ${SERVER_START_MS} ms:\n${log}`);
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

function stop(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    };
    const force = setTimeout(() => kill("SIGKILL"), 10_000);
    child.on("exit", async () => {
      clearTimeout(force);
      // Whatever of the group is still there (workerd) goes too, and is waited for: the next
      // server shares its local D1 and Durable Object files, and must not meet it still holding them.
      kill("SIGKILL");
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && groupAlive(pid)) await new Promise((r) => setTimeout(r, 100));
      resolve();
    });
    kill("SIGTERM");
  });
}
