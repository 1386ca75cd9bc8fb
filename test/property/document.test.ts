import { describe, expect, it } from "vitest";
import { allOperations, NON_JSON_OPERATIONS, operations } from "./document";
import { configOf } from "./operations";

// Property tests driven by the OpenAPI document (test/property/document.ts says how they work).

describe("the OpenAPI document", () => {
  it("lists the operations with a request body, all JSON, each with a test configuration", () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const missing = operations.filter((op) => !configOf(op)).map((op) => op.key);
    expect(missing, "operations with no configuration in test/property/operations.ts").toEqual([]);
    const nonJson = allOperations.filter((op) => op.mediaTypes.join() !== "application/json").map((op) => op.key);
    expect(nonJson, "only the multipart upload takes a body other than JSON").toEqual(Object.keys(NON_JSON_OPERATIONS));
    for (const op of operations) {
      expect(op.mediaTypes, op.key).toEqual(["application/json"]);
      expect(op.schema.type, op.key).toBe("object");
      // Either unknown fields are refused, or (as the platform does) ignored and named in a header.
      if (!op.ignoresUnknown) expect(op.schema.additionalProperties, `${op.key} refuses unknown fields`).toBe(false);
    }
  });
});
