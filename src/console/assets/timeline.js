// @ts-check
// A customer's lifecycle as a timeline, from its events (oldest first): created, email verified,
// frozen with the scheduled deletion time, recovered, deleted or expired, identity verification.
import { h, time } from "./dom.js";

/**
 * What one event means, in words, given the event before it (the customer's state then).
 * @param {any} event
 * @param {any} previous
 * @returns {{ label: string, detail?: HTMLElement | string, lifecycle: boolean }}
 */
export function describe(event, previous) {
  const data = event.data ?? {};
  switch (event.type) {
    case "customer_created":
      return { label: `Created (${data.status})`, lifecycle: true };
    case "customer_frozen":
      return {
        label: "Frozen",
        detail: h("span", null, "deletion scheduled for ", time(data.tm_deletion_scheduled)),
        lifecycle: true,
      };
    case "customer_recovered":
      return { label: "Recovered", lifecycle: true };
    case "customer_deleted":
      return { label: "Deleted", detail: "personal data anonymized, owned resources removed", lifecycle: true };
    case "customer_expired":
      return { label: "Expired", detail: "the signup was never verified", lifecycle: true };
    case "customer_identity_verification_updated":
      return { label: `Identity verification: ${data.identity_verification_status}`, lifecycle: true };
    default:
      if (data.email_verified && previous && !previous.data?.email_verified) {
        return { label: "Email verified", lifecycle: true };
      }
      return { label: "Profile updated", lifecycle: false };
  }
}

/**
 * The timeline as an ordered list, oldest first.
 * @param {any[]} newestFirst the events as the API lists them
 */
export function timeline(newestFirst) {
  const events = [...newestFirst].reverse();
  if (events.length === 0) return h("p", { class: "empty" }, "No events are kept for this customer.");
  return h(
    "ol",
    { class: "timeline" },
    events.map((event, i) => {
      const { label, detail, lifecycle } = describe(event, events[i - 1]);
      return h(
        "li",
        { class: lifecycle ? "lifecycle" : "minor", "data-event": event.type },
        time(event.tm_create),
        " ",
        h("strong", null, label),
        detail ? [" — ", detail] : null,
      );
    }),
  );
}
