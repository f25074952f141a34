// ajv: CreateImageRequest as a compiled JSON Schema (draft-07), all errors collected.
import Ajv from "ajv";

const id = { type: "string", maxLength: 50 };
const schema = {
  type: "object",
  additionalProperties: false,
  required: ["folderId"],
  properties: {
    folderId: { type: "string", minLength: 1, maxLength: 50 },
    name: { type: "string", pattern: "^(|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?)$" },
    description: { type: "string", maxLength: 256 },
    labels: {
      type: "object",
      maxProperties: 64,
      propertyNames: { minLength: 1, maxLength: 63, pattern: "^[a-z][-_./@0-9a-z]*$" },
      additionalProperties: { type: "string", maxLength: 63, pattern: "^[-_./@0-9a-z]*$" },
    },
    family: { type: "string", pattern: "^(|[a-z][-a-z0-9]{1,61}[a-z0-9])$" },
    minDiskSize: { type: "integer", anyOf: [{ const: 0 }, { minimum: 4194304, maximum: 4398046511104 }] },
    productIds: { type: "array", items: { type: "string", maxLength: 50 } },
    imageId: id,
    diskId: id,
    snapshotId: id,
    uri: { type: "string" },
    os: {
      type: "object",
      additionalProperties: false,
      properties: {
        type: { enum: ["TYPE_UNSPECIFIED", "LINUX", "WINDOWS", 0, 1, 2] },
        nvidia: { type: "object", additionalProperties: false, properties: { driver: { type: "string" } } },
      },
    },
    pooled: { type: "boolean" },
    hardwareGeneration: {
      type: "object",
      additionalProperties: false,
      maxProperties: 1,
      properties: {
        legacyFeatures: {
          type: "object",
          additionalProperties: false,
          properties: { pciTopology: { enum: ["PCI_TOPOLOGY_UNSPECIFIED", "PCI_TOPOLOGY_V1", "PCI_TOPOLOGY_V2", 0, 1, 2] } },
        },
        generation2Features: {
          type: "object",
          additionalProperties: false,
          properties: { secureBootTemplateId: { type: "string" }, vtpmEnabled: { type: "boolean" } },
        },
      },
    },
  },
  oneOf: [{ required: ["imageId"] }, { required: ["diskId"] }, { required: ["snapshotId"] }, { required: ["uri"] }],
};

const check = new Ajv({ allErrors: true }).compile(schema);

/** Number of violations (0 = valid). */
export function validate(input) {
  return check(input) ? 0 : check.errors.length;
}
