// Password hashing: the CPU of one PBKDF2 derivation (control worker), and login latency.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "../lib/runtime.mjs";
import { median } from "../lib/stats.mjs";

export async function passwordHashing({ P, log, urls, tenantB }) {
  const source = readFileSync(join(ROOT, "src", "auth", "password.ts"), "utf8");
  const iterations = Number((/PBKDF2_ITERATIONS\s*=\s*([\d_]+)/.exec(source)?.[1] ?? "100000").replace(/_/g, ""));
  log(`PBKDF2: ${P.pbkdf2Per}-derivation probes and ${P.loginSamples} sequential logins`);
  const timed = async (url, init) => {
    const t0 = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    if (res.status >= 300) throw new Error(`${url} -> ${res.status}`);
    return performance.now() - t0;
  };
  await timed(`${urls.control}/pbkdf2?n=1&iterations=${iterations}`);
  const derive = [];
  for (let r = 0; r < P.runs; r++) {
    const base = await timed(`${urls.control}/pbkdf2?n=0`);
    const many = await timed(`${urls.control}/pbkdf2?n=${P.pbkdf2Per}&iterations=${iterations}`);
    derive.push((many - base) / P.pbkdf2Per);
  }
  const login = [];
  const read = [];
  const loginInit = {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ username: tenantB.username, password: tenantB.password }),
  };
  for (let i = 0; i < P.loginSamples; i++) {
    login.push(await timed(`${urls.main}/auth/login`, loginInit));
    read.push(await timed(`${urls.main}/v1.0/customer`, { headers: { Authorization: `Bearer ${tenantB.token}` } }));
  }
  return {
    iterations,
    deriveMs: median(derive),
    loginMs: median(login),
    readMs: median(read),
    loginMinusReadMs: median(login) - median(read),
    samples: { derive, login, read },
  };
}
