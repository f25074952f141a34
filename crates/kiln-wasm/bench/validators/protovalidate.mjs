// protovalidate-es: CreateImageRequest described with buf.validate rules. The descriptor is built
// in code (no protoc here); the request goes through fromJson, as any JSON input must.
import { create, createFileRegistry, fromJson, setExtension } from "@bufbuild/protobuf";
import {
  FieldDescriptorProto_Label as Label,
  FieldDescriptorProto_Type as Type,
  FieldOptionsSchema,
  FileDescriptorProtoSchema,
  OneofOptionsSchema,
} from "@bufbuild/protobuf/wkt";
import {
  FieldRulesSchema,
  OneofRulesSchema,
  field as fieldRules,
  file_buf_validate_validate,
  oneof as oneofRules,
} from "@bufbuild/protovalidate/gen/buf/validate/validate_pb.js";
import { createValidator } from "@bufbuild/protovalidate";

const fieldOptions = (rules) => {
  const options = create(FieldOptionsSchema);
  setExtension(options, fieldRules, fromJson(FieldRulesSchema, rules));
  return options;
};
const oneofOptions = (rules) => {
  const options = create(OneofOptionsSchema);
  setExtension(options, oneofRules, fromJson(OneofRulesSchema, rules));
  return options;
};
const f = (name, number, type, extra = {}) => ({
  name, number, type, label: Label.OPTIONAL, jsonName: name.replace(/_(.)/g, (_, c) => c.toUpperCase()), ...extra,
});

const file = create(FileDescriptorProtoSchema, {
  name: "kiln_bench.proto",
  package: "kiln.bench",
  syntax: "proto3",
  dependency: ["buf/validate/validate.proto"],
  enumType: [{ name: "PCITopology", value: [{ name: "PCI_TOPOLOGY_UNSPECIFIED", number: 0 }, { name: "PCI_TOPOLOGY_V1", number: 1 }, { name: "PCI_TOPOLOGY_V2", number: 2 }] }],
  messageType: [
    {
      name: "CreateImageRequest",
      field: [
        f("folder_id", 1, Type.STRING, { options: fieldOptions({ required: true, string: { maxLen: "50" } }) }),
        f("name", 2, Type.STRING, { options: fieldOptions({ string: { pattern: "^(|[a-z]([-_a-z0-9]{0,61}[a-z0-9])?)$" } }) }),
        f("description", 3, Type.STRING, { options: fieldOptions({ string: { maxLen: "256" } }) }),
        f("labels", 4, Type.MESSAGE, {
          label: Label.REPEATED,
          typeName: ".kiln.bench.CreateImageRequest.LabelsEntry",
          options: fieldOptions({ map: {
            maxPairs: "64",
            keys: { string: { minLen: "1", maxLen: "63", pattern: "^[a-z][-_./@0-9a-z]*$" } },
            values: { string: { maxLen: "63", pattern: "^[-_./@0-9a-z]*$" } },
          } }),
        }),
        f("family", 5, Type.STRING, { options: fieldOptions({ string: { pattern: "^(|[a-z][-a-z0-9]{1,61}[a-z0-9])$" } }) }),
        f("min_disk_size", 6, Type.INT64, { options: fieldOptions({ ignore: "IGNORE_IF_ZERO_VALUE", int64: { gte: "4194304", lte: "4398046511104" } }) }),
        f("product_ids", 7, Type.STRING, { label: Label.REPEATED, options: fieldOptions({ repeated: { items: { string: { maxLen: "50" } } } }) }),
        f("image_id", 8, Type.STRING, { oneofIndex: 0, options: fieldOptions({ string: { maxLen: "50" } }) }),
        f("disk_id", 9, Type.STRING, { oneofIndex: 0, options: fieldOptions({ string: { maxLen: "50" } }) }),
        f("snapshot_id", 10, Type.STRING, { oneofIndex: 0, options: fieldOptions({ string: { maxLen: "50" } }) }),
        f("uri", 11, Type.STRING, { oneofIndex: 0 }),
        f("os", 12, Type.MESSAGE, { typeName: ".kiln.bench.Os" }),
        f("pooled", 17, Type.BOOL),
        f("hardware_generation", 18, Type.MESSAGE, { typeName: ".kiln.bench.HardwareGeneration" }),
      ],
      oneofDecl: [{ name: "source", options: oneofOptions({ required: true }) }],
      nestedType: [{
        name: "LabelsEntry",
        options: { mapEntry: true },
        field: [f("key", 1, Type.STRING), f("value", 2, Type.STRING)],
      }],
    },
    {
      name: "Os",
      field: [f("type", 1, Type.ENUM, { typeName: ".kiln.bench.Os.Type" }), f("nvidia", 2, Type.MESSAGE, { typeName: ".kiln.bench.Nvidia" })],
      enumType: [{ name: "Type", value: [{ name: "TYPE_UNSPECIFIED", number: 0 }, { name: "LINUX", number: 1 }, { name: "WINDOWS", number: 2 }] }],
    },
    { name: "Nvidia", field: [f("driver", 1, Type.STRING)] },
    {
      name: "HardwareGeneration",
      field: [
        f("legacy_features", 1, Type.MESSAGE, { typeName: ".kiln.bench.LegacyHardwareFeatures", oneofIndex: 0 }),
        f("generation2_features", 2, Type.MESSAGE, { typeName: ".kiln.bench.Generation2HardwareFeatures", oneofIndex: 0 }),
      ],
      oneofDecl: [{ name: "features" }],
    },
    { name: "LegacyHardwareFeatures", field: [f("pci_topology", 1, Type.ENUM, { typeName: ".kiln.bench.PCITopology" })] },
    { name: "Generation2HardwareFeatures", field: [f("secure_boot_template_id", 1, Type.STRING), f("vtpm_enabled", 2, Type.BOOL)] },
  ],
});

const registry = createFileRegistry(file, (name) => (name === "buf/validate/validate.proto" ? file_buf_validate_validate : undefined));
const schema = registry.getMessage("kiln.bench.CreateImageRequest");
const validator = createValidator();

/** Number of violations (0 = valid). */
export function validate(input) {
  const message = fromJson(schema, input);
  const result = validator.validate(schema, message);
  return result.kind === "valid" ? 0 : result.violations?.length ?? 1;
}
