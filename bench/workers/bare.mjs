// Reference 1: the runtime's own limit. No bindings used, no routing, a constant body.
const BODY = JSON.stringify({ ok: true });

export default {
  fetch() {
    return new Response(BODY, { headers: { "Content-Type": "application/json" } });
  },
};
