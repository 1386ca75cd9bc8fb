import { describe, expect, it } from "vitest";
import { allOperations, NON_JSON_OPERATIONS, operations } from "./document";
import { configOf } from "./operations";

// Property tests driven by the OpenAPI document (test/property/document.ts says how they work).

describe("the OpenAPI document", () => {
  it("lists the operations with a request body, all JSON, each with a test configuration", () => {
    expect(operations.length).toBeGreaterThanOrEqual(30);
    const missing = operations.filter((op) => !configOf(op)).map((op) => op.key);
    expect(missing, "operations with no configuration in test/property/operations.ts").toEqual([]);
    const nonJson = allOperations.filter((op) => !op.mediaTypes.includes("application/json")).map((op) => op.key);
    expect(nonJson, "only the multipart upload takes a body other than JSON").toEqual(Object.keys(NON_JSON_OPERATIONS));
    for (const op of operations) {
      // POST /v1.0/files also documents the Go SDK's multipart upload, routed to /v1.0/storage_files.
      const also = op.key === "POST /v1.0/files" ? ["multipart/form-data"] : [];
      expect(op.mediaTypes, op.key).toEqual(["application/json", ...also]);
      expect(op.schema.type, op.key).toBe("object");
      // Either unknown fields are refused, or (as the platform does) ignored and named in a header.
      if (!op.ignoresUnknown) expect(op.schema.additionalProperties, `${op.key} refuses unknown fields`).toBe(false);
    }
  });
});
