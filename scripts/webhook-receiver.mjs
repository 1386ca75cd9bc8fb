// A local webhook receiver for trying deliveries out with `npm run dev`:
//   WEBHOOK_SECRET=whsec_... node scripts/webhook-receiver.mjs [port]
// It checks both signatures of every request it gets and prints the event. Set the customer's
// webhook_uri to http://127.0.0.1:<port>/hook (WEBHOOK_ALLOW_LOOPBACK=true in .dev.vars).
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer } from "node:http";

const port = Number(process.argv[2] ?? 8788);
const secret = process.env.WEBHOOK_SECRET ?? "";
if (!secret.startsWith("whsec_")) {
  console.error("Set WEBHOOK_SECRET to the customer's webhook_secret (GET /v1.0/customer).");
  process.exit(2);
}

const same = (a, b) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks).toString("utf8");
    const id = req.headers["webhook-id"] ?? "";
    const timestamp = req.headers["webhook-timestamp"] ?? "";
    // X-VoIPBIN-Signature covers the body, or for GET the raw query (event_id and timestamp).
    const query = (req.url ?? "").split("?")[1] ?? "";
    const voipbin = `sha256=${createHmac("sha256", secret)
      .update(req.method === "GET" ? query : body)
      .digest("hex")}`;
    const standard = `v1,${createHmac("sha256", Buffer.from(secret.slice(6), "base64"))
      .update(`${id}.${timestamp}.${body}`)
      .digest("base64")}`;
    const voipbinOk = same(String(req.headers["x-voipbin-signature"] ?? ""), voipbin);
    const standardOk = String(req.headers["webhook-signature"] ?? "")
      .split(" ")
      .some((s) => same(s, standard));
    const event = body ? JSON.parse(body) : { type: `(GET) ${req.url}` };
    console.log(
      `${new Date().toISOString()} ${req.method} ${req.url} ${event.type} webhook-id=${id} ` +
        `X-VoIPBIN-Signature ${voipbinOk ? "valid" : "INVALID"}, webhook-signature ${standardOk ? "valid" : "INVALID"}`,
    );
    res.writeHead(voipbinOk && standardOk ? 204 : 401).end();
  });
}).listen(port, "127.0.0.1", () => console.log(`webhook receiver on http://127.0.0.1:${port}/hook`));
