// connect-es 2 (gRPC-Web over HTTP/1.1 and gRPC over HTTP/2) against kiln serve, directly and
// through kiln gateway. The services come from kiln-core's encoded descriptor set through
// @bufbuild/protobuf's registry (no generated code). Usage:
//   node connect.mjs DESCRIPTORS.binpb SUBJECT URL...
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const [descriptors, subject, ...urls] = process.argv.slice(2);
const registry = createFileRegistry(fromBinary(FileDescriptorSetSchema, readFileSync(descriptors)));
const ImageService = registry.getService("yandex.cloud.compute.v1.ImageService");
const OperationService = registry.getService("yandex.cloud.operation.OperationService");
const auth = { authorization: "Bearer dev-token" };
let passed = 0;
let n = 0;

for (const baseUrl of urls) {
  for (const [kind, transport] of [
    ["grpc-web", createGrpcWebTransport({ baseUrl, httpVersion: "1.1" })],
    ["grpc", createGrpcTransport({ baseUrl })],
  ]) {
    const at = `${kind} ${baseUrl}`;
    const images = createClient(ImageService, transport);
    const operations = createClient(OperationService, transport);
    const requestId = `connect-${++n}`;
    let headers;
    const started = await images.create(
      { folderId: "dev-folder", name: `connect-${n}`, source: { case: "diskId", value: "fhm0dev0disk0ubuntu1" } },
      { headers: { ...auth, "x-request-id": requestId }, onHeader: (h) => (headers = h) },
    );
    assert.equal(headers.get("x-request-id"), requestId, at);
    assert.match(headers.get("x-server-trace-id") ?? "", /^[0-9a-f]{32}$/, at);
    assert.equal(started.createdBy, subject, at);
    let operation = started;
    for (let i = 0; i < 300 && !operation.done; i++) {
      await new Promise((r) => setTimeout(r, 20));
      operation = await operations.get({ operationId: started.id }, { headers: auth });
    }
    assert.equal(operation.done, true, at);
    assert.equal(operation.description, "Create image", at);
    assert.equal(operation.createdBy, subject, at);
    try {
      await images.create(
        { folderId: "dev-folder", name: "Not Valid?", source: { case: "diskId", value: "fhm0dev0disk0ubuntu1" } },
        { headers: { ...auth, "x-request-id": `${requestId}-bad` } },
      );
      assert.fail(`${at}: an invalid name is refused`);
    } catch (e) {
      assert.ok(e instanceof ConnectError, `${at}: ${e}`);
      assert.equal(e.code, Code.InvalidArgument, `${at}: ${e.code} ${e.rawMessage} ${JSON.stringify([...e.metadata])}`);
      assert.ok(e.rawMessage.includes("may only contain lowercase Latin letters, digits, hyphens and underscores"), `${at}: ${e.rawMessage}`);
      assert.equal(e.metadata.get("x-request-id"), `${requestId}-bad`, at);
    }
    passed++;
  }
}
console.log(`connect-es: ${passed} passed`);
