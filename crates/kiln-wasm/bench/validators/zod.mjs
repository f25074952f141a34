// zod 4: CreateImageRequest as a strict object schema; the source oneof as a refinement.
import { z } from "zod";

const id = z.string().max(50).optional();
const schema = z.strictObject({
  folderId: z.string().min(1).max(50),
  name: z.string().regex(/^(|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?)$/).optional(),
  description: z.string().max(256).optional(),
  labels: z.record(
    z.string().min(1).max(63).regex(/^[a-z][-_./@0-9a-z]*$/),
    z.string().max(63).regex(/^[-_./@0-9a-z]*$/),
  ).refine((labels) => Object.keys(labels).length <= 64).optional(),
  family: z.string().regex(/^(|[a-z][-a-z0-9]{1,61}[a-z0-9])$/).optional(),
  minDiskSize: z.number().int().refine((n) => n === 0 || (n >= 4194304 && n <= 4398046511104)).optional(),
  productIds: z.array(z.string().max(50)).optional(),
  imageId: id,
  diskId: id,
  snapshotId: id,
  uri: z.string().optional(),
  os: z.strictObject({
    type: z.enum(["TYPE_UNSPECIFIED", "LINUX", "WINDOWS"]).optional(),
    nvidia: z.strictObject({ driver: z.string().optional() }).optional(),
  }).optional(),
  pooled: z.boolean().optional(),
  hardwareGeneration: z.strictObject({
    legacyFeatures: z.strictObject({ pciTopology: z.enum(["PCI_TOPOLOGY_UNSPECIFIED", "PCI_TOPOLOGY_V1", "PCI_TOPOLOGY_V2"]).optional() }).optional(),
    generation2Features: z.strictObject({ secureBootTemplateId: z.string().optional(), vtpmEnabled: z.boolean().optional() }).optional(),
  }).optional(),
}).superRefine((r, ctx) => {
  if ([r.imageId, r.diskId, r.snapshotId, r.uri].filter((s) => s).length !== 1) {
    ctx.addIssue({ code: "custom", message: "exactly one source", path: ["source"] });
  }
});

/** Number of violations (0 = valid). */
export function validate(input) {
  const result = schema.safeParse(input);
  return result.success ? 0 : result.error.issues.length;
}
