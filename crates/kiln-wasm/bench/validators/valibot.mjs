// valibot: CreateImageRequest as a strict object schema; the source oneof as a check.
import * as v from "valibot";

const str = (...pipe) => v.optional(v.pipe(v.string(), ...pipe));
const id = str(v.maxLength(50));
const schema = v.pipe(
  v.strictObject({
    folderId: v.pipe(v.string(), v.minLength(1), v.maxLength(50)),
    name: str(v.regex(/^(|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?)$/)),
    description: str(v.maxLength(256)),
    labels: v.optional(v.pipe(
      v.record(
        v.pipe(v.string(), v.minLength(1), v.maxLength(63), v.regex(/^[a-z][-_./@0-9a-z]*$/)),
        v.pipe(v.string(), v.maxLength(63), v.regex(/^[-_./@0-9a-z]*$/)),
      ),
      v.check((labels) => Object.keys(labels).length <= 64),
    )),
    family: str(v.regex(/^(|[a-z][-a-z0-9]{1,61}[a-z0-9])$/)),
    minDiskSize: v.optional(v.pipe(v.number(), v.integer(), v.check((n) => n === 0 || (n >= 4194304 && n <= 4398046511104)))),
    productIds: v.optional(v.array(v.pipe(v.string(), v.maxLength(50)))),
    imageId: id,
    diskId: id,
    snapshotId: id,
    uri: v.optional(v.string()),
    os: v.optional(v.strictObject({
      type: v.optional(v.picklist(["TYPE_UNSPECIFIED", "LINUX", "WINDOWS"])),
      nvidia: v.optional(v.strictObject({ driver: v.optional(v.string()) })),
    })),
    pooled: v.optional(v.boolean()),
    hardwareGeneration: v.optional(v.strictObject({
      legacyFeatures: v.optional(v.strictObject({
        pciTopology: v.optional(v.picklist(["PCI_TOPOLOGY_UNSPECIFIED", "PCI_TOPOLOGY_V1", "PCI_TOPOLOGY_V2"])),
      })),
      generation2Features: v.optional(v.strictObject({
        secureBootTemplateId: v.optional(v.string()),
        vtpmEnabled: v.optional(v.boolean()),
      })),
    })),
  }),
  v.check((r) => [r.imageId, r.diskId, r.snapshotId, r.uri].filter((s) => s).length === 1),
);

/** Number of violations (0 = valid). */
export function validate(input) {
  const result = v.safeParse(schema, input);
  return result.success ? 0 : result.issues.length;
}
