// The bench's own helper worker (never deployed): the raw-delete baseline, the PBKDF2 cost
// probe and a fallback to drive a permanent deletion through the customer's Durable Object.
// It shares the service's D1 database and, by script name, its CustomerLifecycle namespace.

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

async function pbkdf2(n, iterations) {
  const enc = new TextEncoder();
  const salt = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < n; i++) {
    const key = await crypto.subtle.importKey("raw", enc.encode(`bench-password-${i}`), "PBKDF2", false, [
      "deriveBits",
    ]);
    await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  }
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const q = url.searchParams;
    switch (url.pathname) {
      case "/noop":
        return json({ ok: true });

      // N sequential PBKDF2-SHA256 derivations: timed from outside, minus /pbkdf2?n=0.
      case "/pbkdf2": {
        const n = Number(q.get("n") ?? 1);
        await pbkdf2(n, Number(q.get("iterations") ?? 100000));
        return json({ n });
      }

      // The baseline: one DELETE … WHERE customer_id = ? per table, one after the other.
      case "/raw-delete": {
        const customer = q.get("customer");
        const tables = (q.get("tables") ?? "").split(",").filter(Boolean);
        const perTable = {};
        let rows = 0;
        const start = Date.now();
        // As for the cascade, the customer is deleted first: the reference triggers (migrations/0015)
        // then leave its other rows alone, as they do for the cascade.
        await env.DB.prepare("UPDATE customers SET status = 'deleted' WHERE id = ?").bind(customer).run();
        for (const table of tables) {
          const result = await env.DB.prepare(`DELETE FROM "${table.replace(/"/g, "")}" WHERE customer_id = ?`)
            .bind(customer)
            .run();
          perTable[table] = result.meta.changes ?? 0;
          rows += perTable[table];
        }
        return json({ rows, perTable, ms: Date.now() - start });
      }

      // Fallback while DELETE /v1.0/customers/{id} is not there: the same Durable Object call.
      case "/delete-via-do": {
        const id = q.get("id");
        if (!env.LIFECYCLE) return json({ error: "no CustomerLifecycle binding" }, 500);
        const result = await env.LIFECYCLE.get(env.LIFECYCLE.idFromName(id)).deleteNow(id);
        return json(result, result.ok ? 200 : 409);
      }

      default:
        return json({ error: "not found" }, 404);
    }
  },
};
