"""Wire check of Kiln's proto/ against the official Yandex Cloud SDK (PyPI `yandexcloud`).

Driven by crates/kiln-core/tests/it/sdk_wire.rs:

  check.py descriptors FDS      compare every message, enum and service of Kiln's descriptor set
                                (a serialized FileDescriptorSet) with the SDK's descriptors
  check.py encode OUT.json      encode sample messages with every field set, using the SDK
  check.py decode IN.json       parse bytes Kiln encoded and compare them with the SDK samples
"""

import importlib
import json
import sys

from google.protobuf import descriptor_pb2, json_format, timestamp_pb2, any_pb2, field_mask_pb2

KILN_PACKAGES = ("yandex.cloud", "google.rpc")


def sdk_module(file_name):
    """The SDK's generated module of a .proto file: a/b/c.proto -> a.b.c_pb2."""
    return importlib.import_module(file_name[: -len(".proto")].replace("/", ".") + "_pb2")


def json_name(name):
    """protoc's default JSON name (the SDK's file descriptors leave json_name empty)."""
    parts = name.split("_")
    return parts[0] + "".join(p[:1].upper() + p[1:] for p in parts[1:])


def describe_field(f, msg):
    return {
        "number": f.number,
        "type": descriptor_pb2.FieldDescriptorProto.Type.Name(f.type),
        "label": descriptor_pb2.FieldDescriptorProto.Label.Name(f.label),
        "type_name": f.type_name,
        "json_name": f.json_name or json_name(f.name),
        "oneof": msg.oneof_decl[f.oneof_index].name if f.HasField("oneof_index") else None,
        "proto3_optional": f.proto3_optional,
    }


def walk_messages(prefix, messages, out):
    for m in messages:
        full = f"{prefix}.{m.name}"
        out[full] = m
        walk_messages(full, m.nested_type, out)


def walk_enums(prefix, file_or_msg_enums, nested, out):
    for e in file_or_msg_enums:
        out[f"{prefix}.{e.name}"] = e
    for m in nested:
        walk_enums(f"{prefix}.{m.name}", m.enum_type, m.nested_type, out)


def file_proto(module):
    fdp = descriptor_pb2.FileDescriptorProto()
    module.DESCRIPTOR.CopyToProto(fdp)
    return fdp


def compare_descriptors(fds_path):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(fds_path, "rb") as f:
        fds.ParseFromString(f.read())
    problems = []
    counts = {"files": 0, "messages": 0, "fields": 0, "enums": 0, "methods": 0}
    for kiln in fds.file:
        if not kiln.package.startswith(KILN_PACKAGES):
            continue
        sdk = file_proto(sdk_module(kiln.name))
        counts["files"] += 1
        if kiln.package != sdk.package:
            problems.append(f"{kiln.name}: package {kiln.package} != SDK {sdk.package}")
        ours, theirs = {}, {}
        walk_messages(kiln.package, kiln.message_type, ours)
        walk_messages(sdk.package, sdk.message_type, theirs)
        for name, m in ours.items():
            counts["messages"] += 1
            s = theirs.get(name)
            if s is None:
                problems.append(f"{name}: not in the SDK's {kiln.name}")
                continue
            mine = {f.name: describe_field(f, m) for f in m.field}
            sdks = {f.name: describe_field(f, s) for f in s.field}
            counts["fields"] += len(mine)
            for fname in sorted(set(mine) | set(sdks)):
                if mine.get(fname) != sdks.get(fname):
                    problems.append(f"{name}.{fname}: kiln {mine.get(fname)} != SDK {sdks.get(fname)}")
            if [o.name for o in m.oneof_decl] != [o.name for o in s.oneof_decl]:
                problems.append(f"{name}: oneofs {[o.name for o in m.oneof_decl]} != SDK {[o.name for o in s.oneof_decl]}")
            mine_reserved = [(r.start, r.end) for r in m.reserved_range]
            sdk_reserved = [(r.start, r.end) for r in s.reserved_range]
            if mine_reserved != sdk_reserved:
                problems.append(f"{name}: reserved {mine_reserved} != SDK {sdk_reserved}")
            if m.options.map_entry != s.options.map_entry:
                problems.append(f"{name}: map_entry differs")
        ours_e, theirs_e = {}, {}
        walk_enums(kiln.package, kiln.enum_type, kiln.message_type, ours_e)
        walk_enums(sdk.package, sdk.enum_type, sdk.message_type, theirs_e)
        for name, e in ours_e.items():
            counts["enums"] += 1
            s = theirs_e.get(name)
            mine = [(v.name, v.number) for v in e.value]
            sdks = [(v.name, v.number) for v in s.value] if s else None
            if mine != sdks:
                problems.append(f"enum {name}: kiln {mine} != SDK {sdks}")
        sdk_services = {s.name: s for s in sdk.service}
        for svc in kiln.service:
            s = sdk_services.get(svc.name)
            if s is None:
                problems.append(f"service {svc.name} not in the SDK")
                continue
            sdk_methods = {m.name: m for m in s.method}
            for meth in svc.method:
                counts["methods"] += 1
                sm = sdk_methods.get(meth.name)
                got = (meth.input_type, meth.output_type, meth.client_streaming, meth.server_streaming)
                want = (sm.input_type, sm.output_type, sm.client_streaming, sm.server_streaming) if sm else None
                if got != want:
                    problems.append(f"{svc.name}.{meth.name}: kiln {got} != SDK {want}")
            if kiln.name == sdk.name and len(svc.method) != len(s.method) and not kiln.name.endswith(("disk_service.proto", "snapshot_service.proto")):
                problems.append(f"service {svc.name}: kiln has {len(svc.method)} methods, SDK {len(s.method)}")
    print(json.dumps(counts))
    for p in problems:
        print("MISMATCH", p)
    return 1 if problems else 0


def samples():
    """Messages with every field set, built with the SDK's own classes."""
    from yandex.cloud.compute.v1 import image_pb2, image_service_pb2, hardware_generation_pb2, kek_pb2
    from yandex.cloud.operation import operation_pb2

    hw2 = hardware_generation_pb2.HardwareGeneration(
        generation2_features=hardware_generation_pb2.Generation2HardwareFeatures(
            secure_boot_template_id="sbt-1", vtpm_enabled=True))
    hw1 = hardware_generation_pb2.HardwareGeneration(
        legacy_features=hardware_generation_pb2.LegacyHardwareFeatures(
            pci_topology=hardware_generation_pb2.PCI_TOPOLOGY_V2))
    os_ = image_pb2.Os(type=image_pb2.Os.WINDOWS, nvidia=image_pb2.Nvidia(driver="550.54.15"))
    create = image_service_pb2.CreateImageRequest(
        folder_id="b1gfolder", name="web-image", description="Описание 😀",
        labels={"env": "prod", "team": "web", "a.b/c@d": "x-y_z"}, family="ubuntu-2404",
        min_disk_size=10737418240, product_ids=["f2e1", "f2e2"],
        uri="https://storage.yandexcloud.net/bucket/disk.qcow2", os=os_, pooled=True,
        hardware_generation=hw1)
    image = image_pb2.Image(
        id="fd8image", folder_id="b1gfolder", created_at=timestamp_pb2.Timestamp(seconds=1767225600, nanos=500000000),
        name="web-image", description="d", labels={"env": "prod"}, family="ubuntu-2404", size=21474836480,
        storage_size=3221225472, min_disk_size=10737418240, product_ids=["f2e1"], status=image_pb2.Image.READY,
        os=os_, pooled=True, hardware_generation=hw2, kms_key=kek_pb2.KMSKey(key_id="k1", version_id="v1"))
    metadata = any_pb2.Any()
    metadata.Pack(image_service_pb2.CreateImageMetadata(image_id="fd8image"))
    response = any_pb2.Any()
    response.Pack(image)
    operation = operation_pb2.Operation(
        id="fd8op", description="Create image", created_at=timestamp_pb2.Timestamp(seconds=1767225600),
        created_by="ajeuser", modified_at=timestamp_pb2.Timestamp(seconds=1767225610), done=True,
        metadata=metadata, response=response)
    update = image_service_pb2.UpdateImageRequest(
        image_id="fd8image", update_mask=field_mask_pb2.FieldMask(paths=["name", "labels"]), name="new", labels={"k": "v"})
    return {
        "yandex.cloud.compute.v1.CreateImageRequest": create,
        "yandex.cloud.compute.v1.Image": image,
        "yandex.cloud.operation.Operation": operation,
        "yandex.cloud.compute.v1.UpdateImageRequest": update,
    }


def encode(out_path):
    result = {}
    for name, message in samples().items():
        result[name] = {
            "hex": message.SerializeToString(deterministic=True).hex(),
            "json": json_format.MessageToDict(message),
        }
    with open(out_path, "w") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
    return 0


def decode(in_path):
    with open(in_path) as f:
        kiln = json.load(f)
    expected = samples()
    problems = []
    for name, message in expected.items():
        if name not in kiln:
            problems.append(f"{name}: Kiln sent nothing")
            continue
        parsed = type(message)()
        parsed.ParseFromString(bytes.fromhex(kiln[name]))
        if parsed != message:
            problems.append(f"{name}: SDK parsed {parsed} from Kiln's bytes, expected {message}")
        elif parsed.SerializeToString(deterministic=True) != message.SerializeToString(deterministic=True):
            problems.append(f"{name}: Kiln's bytes carry fields the SDK does not know")
    for p in problems:
        print("MISMATCH", p)
    print(json.dumps({"decoded": len(expected) - len(problems)}))
    return 1 if problems else 0


if __name__ == "__main__":
    command, path = sys.argv[1], sys.argv[2]
    sys.exit({"descriptors": compare_descriptors, "encode": encode, "decode": decode}[command](path))
