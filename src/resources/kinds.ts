import { z } from "@hono/zod-openapi";
import { ownedTables, type ResourceKind } from "../db/owned";
import { Permission, ZERO_UUID } from "../db/schema";
import {
  E164_PATTERN,
  e164Field,
  emailField,
  optionalEmailField,
  passwordField,
  phoneNumberField,
} from "../lib/validation";
import {
  addressList,
  contactAddressCreate,
  contactAddressSchema,
  flowRef,
  idRef,
  IP_PATTERN,
  listOf,
  permissionField,
  shortText,
  tagIdList,
  uuidField,
  type ContactAddress,
} from "./fields";

export const mimeType = z
  .string()
  .regex(/^[\w.+-]+\/[\w.+-]+$/, { message: "a MIME type" })
  .max(127);

// Rows as the generic code sees them: the shared columns, typed, plus each kind's own (a kind's
// rules narrow those they read).
export type Row = Record<string, unknown> & {
  id: string;
  customerId: string;
  name: string;
  detail: string;
  version: number;
  tmCreate: number;
  tmUpdate: number;
};

/**
 * One API field of a resource kind: its wire name, its column, how it validates, and how it
 * travels. The CRUD routes, the setters, the OpenAPI schemas and the serializers all derive
 * from these.
 */
export interface FieldSpec {
  api: string;
  /** Absent for a value the response computes (`derive`). */
  column?: string;
  /** The value as answered (and, unless `input` says otherwise, as accepted). */
  schema: z.ZodType;
  /** Accepted instead of `schema` when the two differ. */
  input?: z.ZodType;
  /** Must be given at creation. */
  required?: boolean;
  /** Set at creation only (PUT ignores it). */
  immutable?: boolean;
  /** Accepted, hashed, never returned. */
  secret?: boolean;
  /**
   * Accepted, stored sealed (encrypted, src/lib/sealed.ts) and returned only to the customer's
   * admins and the operator: a secret its owner must be able to read back (a SIP password).
   */
  sealed?: boolean;
  /** Returned, never accepted by POST/PUT (ignored and named in X-Ignored-Fields); setters may still write it. */
  readOnly?: boolean;
  /** A read-only field POST still takes, as the clients send it; the kind's rules check it (never stored). */
  createInput?: boolean;
  /**
   * The platform's default: what `null`, and a zero value listed in `unset`, stand for. With no
   * default, an `unset` value on an update leaves the field as it is.
   */
  default?: unknown;
  unset?: readonly unknown[];
  /** A response value computed from the row. */
  derive?: (row: Row) => unknown;
  /** The accepted value → its stored form. */
  store?: (value: unknown, now: number) => unknown;
}

/** The kind also answers under another path name; `except` lists the methods it does not take there. */
export interface KindAlias {
  name: string;
  except?: ("get" | "post" | "put" | "delete")[];
}

/** A generated `PUT /v1.0/{kind}/{id}/{name}` that writes the named fields, as the contract has it. */
export interface SetterSpec {
  name: string;
  fields: string[];
  summary: string;
  /** The contract requires every field (otherwise each is optional, as there). */
  required?: boolean;
}

export interface KindSpec {
  kind: ResourceKind;
  /** Singular name for messages and the OpenAPI schema. */
  title: string;
  summaryNoun: string;
  fields: FieldSpec[];
  example: Record<string, unknown>;
  /** `table.column` of a UNIQUE index → the field it guards, answered with 409. */
  unique?: Record<string, string>;
  aliases?: KindAlias[];
  setters?: SetterSpec[];
  /** Other media types `POST /v1.0/{kind}` takes, answered by another route (documented here). */
  createAlso?: Record<string, { schema: { $ref: string } }>;
}

const none = (value: unknown) => ({ derive: () => value, readOnly: true as const });
const directHash = { api: "direct_hash", schema: z.string(), ...none("") };
/** The Go SDK sends `password` on every update (no omitempty): "" there keeps the current one. */
const keepWhenBlank = [""] as const;

export const kindSpecs: Record<ResourceKind, KindSpec> = {
  agents: {
    kind: "agents",
    title: "Agent",
    summaryNoun: "agent",
    fields: [
      { api: "username", column: "username", schema: emailField, required: true, immutable: true },
      { api: "password", column: "passwordHash", schema: passwordField, required: true, immutable: true, secret: true },
      // 0 is the platform's "none": the agent gets CustomerAgent.
      {
        api: "permission",
        column: "permission",
        schema: permissionField,
        default: Permission.CustomerAgent,
        unset: [0],
      },
      {
        api: "ring_method",
        column: "ringMethod",
        schema: z.enum(["ringall", "linear"]),
        default: "ringall",
        unset: [""],
      },
      {
        api: "status",
        column: "status",
        schema: z.enum(["", "available", "away", "busy", "offline", "ringing"]),
        readOnly: true,
        default: "offline",
      },
      { api: "tag_ids", column: "tagIds", ...tagIdList },
      { api: "addresses", column: "addresses", ...listOf(addressList) },
      { api: "is_guest", column: "isGuest", schema: z.boolean(), readOnly: true },
      directHash,
    ],
    example: {
      name: "John Smith",
      detail: "Sales",
      username: "john@acme-corp.com",
      password: "a-strong-password",
      permission: 16,
      ring_method: "ringall",
    },
    unique: { "agents.username": "username" },
    setters: [
      { name: "addresses", fields: ["addresses"], summary: "Set an agent's addresses" },
      { name: "tag_ids", fields: ["tag_ids"], summary: "Set an agent's tags" },
      { name: "permission", fields: ["permission"], summary: "Set an agent's permission" },
      { name: "status", fields: ["status"], summary: "Set an agent's status" },
    ],
  },
  numbers: {
    kind: "numbers",
    title: "Number",
    summaryNoun: "number",
    fields: [
      { api: "number", column: "number", schema: e164Field, required: true, immutable: true },
      {
        api: "type",
        schema: z.enum(["normal", "virtual"]).openapi({
          description: "Derived from the number: virtual numbers are +899…. On create it may be given, as vn does.",
        }),
        readOnly: true,
        createInput: true,
        derive: (row) => numberType(row.number),
      },
      { api: "call_flow_id", column: "callFlowId", ...flowRef },
      { api: "message_flow_id", column: "messageFlowId", ...flowRef },
      { api: "status", schema: z.enum(["active", "deleted"]), ...none("active") },
      { api: "t38_enabled", schema: z.boolean(), ...none(false) },
      { api: "emergency_enabled", schema: z.boolean(), ...none(false) },
      { api: "tm_purchase", schema: z.string(), readOnly: true, derive: (row) => new Date(row.tmCreate).toISOString() },
      // Renewal is billing's business, not this service's: never renewed here.
      { api: "tm_renew", schema: z.string().nullable(), ...none(null) },
    ],
    example: { name: "Main line", detail: "", number: "+15551234567", call_flow_id: ZERO_UUID, message_flow_id: "" },
    unique: { "numbers.number": "number" },
    // Each optional: `vn numbers update-flow-ids` sends only the flow it was given; the other keeps its value.
    setters: [
      {
        name: "flow_ids",
        fields: ["call_flow_id", "message_flow_id"],
        summary: "Set a number's call and message flows",
      },
    ],
  },
  flows: {
    kind: "flows",
    title: "Flow",
    summaryNoun: "flow",
    fields: [
      // The platform sets a flow's type: "flow" for a customer's own, the others for the flows its
      // services make (the contract's create and update take no type).
      {
        api: "type",
        column: "type",
        schema: z.enum(["flow", "conference", "queue", "campaign", "transfer"]),
        readOnly: true,
      },
      { api: "actions", column: "actions", ...listOf(z.array(z.record(z.string(), z.unknown())).max(100)) },
      { api: "on_complete_flow_id", column: "onCompleteFlowId", ...flowRef },
      directHash,
    ],
    example: {
      name: "Main IVR",
      detail: "",
      actions: [{ type: "answer" }, { type: "talk", option: { text: "Hello" } }],
    },
  },
  queues: {
    kind: "queues",
    title: "Queue",
    summaryNoun: "queue",
    fields: [
      // `vn queues create` sends its agent ring method ("ringall") here by default; the platform
      // does not check the value, so it stands for the default rather than a 400.
      {
        api: "routing_method",
        column: "routingMethod",
        schema: z.enum(["random", "round_robin"]),
        default: "random",
        unset: ["", "ringall"],
      },
      { api: "tag_ids", column: "tagIds", ...tagIdList },
      { api: "wait_flow_id", column: "waitFlowId", ...flowRef },
      { api: "wait_timeout", column: "waitTimeout", schema: z.number().int().min(0).max(86_400_000) },
      { api: "service_timeout", column: "serviceTimeout", schema: z.number().int().min(0).max(86_400_000) },
      directHash,
      { api: "wait_queuecall_ids", schema: z.array(z.uuid()), ...none([]) },
      { api: "service_queuecall_ids", schema: z.array(z.uuid()), ...none([]) },
      { api: "total_incoming_count", schema: z.number().int(), ...none(0) },
      { api: "total_serviced_count", schema: z.number().int(), ...none(0) },
      { api: "total_abandoned_count", schema: z.number().int(), ...none(0) },
    ],
    example: {
      name: "Sales Queue",
      detail: "",
      routing_method: "random",
      tag_ids: [],
      wait_flow_id: "",
      wait_timeout: 60000,
      service_timeout: 600000,
    },
    setters: [
      { name: "routing_method", fields: ["routing_method"], summary: "Set a queue's routing method" },
      { name: "tag_ids", fields: ["tag_ids"], summary: "Set a queue's tags" },
    ],
  },
  trunks: {
    kind: "trunks",
    title: "Trunk",
    summaryNoun: "trunk",
    fields: [
      {
        api: "domain_name",
        column: "domainName",
        schema: z.string().regex(/^[a-z0-9-]{0,63}$/, { message: "lowercase letters, digits and '-'" }),
      },
      { api: "auth_types", column: "authTypes", ...listOf(z.array(z.enum(["basic", "ip"])).max(2)) },
      { api: "username", column: "username", schema: shortText() },
      { api: "password", column: "passwordSealed", schema: z.string().max(1024), sealed: true, unset: keepWhenBlank },
      {
        api: "allowed_ips",
        column: "allowedIps",
        ...listOf(z.array(z.string().regex(IP_PATTERN, { message: "an IP address or CIDR" })).max(50)),
      },
    ],
    example: {
      name: "Office PBX",
      detail: "",
      domain_name: "acme-office",
      auth_types: ["basic"],
      username: "pbx",
      password: "sip-secret-123",
      allowed_ips: ["203.0.113.10"],
    },
  },
  extensions: {
    kind: "extensions",
    title: "Extension",
    summaryNoun: "extension",
    fields: [
      {
        api: "extension",
        column: "extension",
        schema: z.string().regex(/^[0-9A-Za-z_.-]{1,32}$/, { message: "1-32 letters, digits, '_', '.', '-'" }),
        required: true,
        immutable: true,
      },
      {
        api: "password",
        column: "passwordSealed",
        schema: passwordField,
        required: true,
        sealed: true,
        unset: keepWhenBlank,
      },
      // The platform registers an extension as <extension>@<customer id>.
      { api: "username", schema: z.string(), readOnly: true, derive: (row) => row.extension },
      { api: "domain_name", schema: z.string(), readOnly: true, derive: (row) => row.customerId },
      directHash,
    ],
    example: { name: "Front desk", detail: "", extension: "1001", password: "sip-secret-123" },
    unique: { "extensions.customer_id": "extension", "extensions.extension": "extension" },
  },
  files: {
    kind: "files",
    title: "File",
    summaryNoun: "file",
    // The contract's StorageManagerFile. Uploads (POST /v1.0/storage_files, multipart) fill the
    // owner, size and download fields from the request; the JSON create records metadata only.
    fields: [
      { api: "type", column: "type", schema: z.enum(["", "rag", "talk", "recording"]) },
      { api: "owner_type", column: "ownerType", schema: z.enum(["", "agent", "accesskey"]), readOnly: true },
      { api: "owner_id", column: "ownerId", schema: uuidField, readOnly: true },
      // What the file belongs to (a recording's call) is the platform's to say.
      { api: "reference_type", column: "referenceType", schema: z.enum(["", "normal", "recording"]), readOnly: true },
      { api: "reference_id", column: "referenceId", schema: uuidField, readOnly: true },
      { api: "filename", column: "filename", schema: shortText() },
      { api: "content_type", column: "contentType", schema: mimeType, immutable: true },
      // Counted from the uploaded bytes (0 for a JSON record): storage usage rests on it.
      { api: "filesize", column: "sizeBytes", schema: z.number().int().min(0), readOnly: true },
      { api: "uri_download", column: "uriDownload", schema: z.string(), readOnly: true },
      // Downloads go through the caller's credential and do not expire.
      { api: "tm_download_expire", schema: z.string().nullable(), ...none(null) },
    ],
    example: { name: "Greeting", detail: "", filename: "greeting.wav", content_type: "audio/wav" },
    // The contract's name; its POST (a multipart upload) is a route of its own.
    aliases: [{ name: "storage_files", except: ["post"] }],
    // The Go SDK's PostFiles uploads here; src/routes/storage-files/files-path-upload.ts routes it.
    createAlso: { "multipart/form-data": { schema: { $ref: "#/components/schemas/StorageFileUpload" } } },
  },
  billing_accounts: {
    kind: "billing_accounts",
    title: "BillingAccount",
    summaryNoun: "billing account",
    fields: [
      // Money: only the operator's balance_add_force / balance_subtract_force change it.
      { api: "balance", column: "balance", schema: z.number().finite(), readOnly: true },
      // Set at creation only: changing it later would revalue the balance.
      {
        api: "currency",
        column: "currency",
        schema: z.string().regex(/^[A-Z]{3}$/, { message: "an ISO 4217 code such as USD" }),
        immutable: true,
      },
      {
        api: "payment_type",
        column: "paymentType",
        schema: z.enum(["prepaid", "postpaid"]),
        default: "prepaid",
        unset: [""],
      },
      { api: "payment_method", column: "paymentMethod", schema: z.enum(["", "credit card"]), default: "", unset: [] },
      {
        api: "plan_type",
        column: "planType",
        schema: z.enum(["free", "basic", "professional", "unlimited"]),
        readOnly: true,
      },
      { api: "plan_status", schema: z.enum(["active", "canceling"]), ...none("active") },
      { api: "status", schema: z.enum(["active", "frozen", "deleted"]), ...none("active") },
      { api: "paddle_subscription_id", schema: z.string(), ...none("") },
      { api: "paddle_customer_id", schema: z.string(), ...none("") },
      { api: "tm_last_topup", schema: z.string().nullable(), ...none(null) },
      { api: "tm_next_topup", schema: z.string().nullable(), ...none(null) },
    ],
    example: {
      name: "Main account",
      detail: "",
      currency: "USD",
      payment_type: "prepaid",
      payment_method: "credit card",
    },
    setters: [
      {
        name: "payment_info",
        fields: ["payment_type", "payment_method"],
        summary: "Set a billing account's payment type and method",
      },
    ],
  },
  tags: {
    kind: "tags",
    title: "Tag",
    summaryNoun: "tag",
    fields: [],
    example: { name: "sales", detail: "Sales department" },
  },
  transcriptions: {
    kind: "transcriptions",
    title: "Transcription",
    summaryNoun: "transcription",
    fields: [
      {
        api: "reference_type",
        column: "referenceType",
        schema: z.enum(["", "unknown", "call", "recording", "confbridge", "conference"]),
      },
      { api: "reference_id", column: "referenceId", ...idRef },
      {
        api: "language",
        column: "language",
        schema: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, { message: "a BCP 47 tag such as en-US" }),
      },
      // The transcription's progress is the platform's to report.
      { api: "status", column: "status", schema: z.enum(["progressing", "done"]), readOnly: true },
      { api: "direction", column: "direction", schema: z.enum(["both", "in", "out"]), default: "both", unset: [""] },
      { api: "provider", column: "provider", schema: z.enum(["", "gcp", "aws"]) },
      { api: "on_end_flow_id", column: "onEndFlowId", ...flowRef },
      { api: "activeflow_id", column: "activeflowId", ...idRef, readOnly: true },
    ],
    example: {
      name: "Call 42",
      detail: "",
      reference_type: "call",
      reference_id: ZERO_UUID,
      language: "en-US",
      direction: "both",
    },
    aliases: [{ name: "transcribes" }],
  },
  contacts: {
    kind: "contacts",
    title: "Contact",
    summaryNoun: "contact",
    fields: [
      { api: "first_name", column: "firstName", schema: shortText() },
      { api: "last_name", column: "lastName", schema: shortText() },
      { api: "display_name", column: "displayName", schema: shortText() },
      { api: "email", column: "email", schema: optionalEmailField },
      { api: "phone_number", column: "phoneNumber", schema: phoneNumberField },
      { api: "company", column: "company", schema: shortText() },
      { api: "job_title", column: "jobTitle", schema: shortText() },
      {
        api: "source",
        column: "source",
        schema: z.enum(["manual", "import", "api", "sync"]),
        default: "manual",
        unset: [""],
      },
      { api: "external_id", column: "externalId", schema: shortText() },
      { api: "notes", column: "notes", schema: z.string().max(4096) },
      {
        api: "addresses",
        column: "addresses",
        schema: z.array(contactAddressSchema),
        input: z.array(contactAddressCreate).max(50),
        default: [],
        // The value passed `input` already; parsed again only to type it.
        store: (list, now) =>
          z
            .array(contactAddressCreate)
            .parse(list)
            .map((a) => newContactAddress(a, now)),
      },
      { api: "tag_ids", column: "tagIds", ...tagIdList },
    ],
    example: {
      name: "Jane Doe",
      detail: "",
      first_name: "Jane",
      last_name: "Doe",
      email: "jane@example.com",
      phone_number: "+15559876543",
      company: "Example Ltd",
    },
  },
};

export function newContactAddress(a: z.infer<typeof contactAddressCreate>, now: number): ContactAddress {
  return {
    id: crypto.randomUUID(),
    type: a.type ?? "",
    target: a.target ?? "",
    name: a.name ?? "",
    detail: a.detail ?? "",
    is_primary: a.is_primary ?? false,
    tm_create: new Date(now).toISOString(),
  };
}

export const tableOf = (kind: ResourceKind) => ownedTables[kind];

/** A kind's field by its API name; a name the table lacks is a programming error, met at load. */
export function fieldOf(spec: KindSpec, api: string): FieldSpec {
  const field = spec.fields.find((f) => f.api === api);
  if (!field) throw new Error(`${spec.kind} has no field ${api}`);
  return field;
}

/** The values of an enum field, as a schema a query filter can reuse. */
export function enumFieldOf(spec: KindSpec, api: string): z.ZodEnum {
  const { schema } = fieldOf(spec, api);
  if (!(schema instanceof z.ZodEnum)) throw new Error(`${spec.kind}.${api} is not an enum field`);
  return schema;
}

/** Numbers outside the platform's virtual range (+899…) are PSTN numbers. */
export const isVirtualNumber = (number: string) => number.startsWith("+899") && E164_PATTERN.test(number);
export const numberType = (number: unknown) =>
  typeof number === "string" && isVirtualNumber(number) ? "virtual" : "normal";
