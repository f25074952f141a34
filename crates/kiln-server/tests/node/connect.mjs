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

// Early refusals over gRPC-Web on HTTP/1.1: the service answers before it needs the body (no
// token, an unknown token, an unknown method, a message over the size limit). Each answer must
// reach the client as its status, every time, not as a broken pipe under the client's write.
const unknownMethod = { ...ImageService.method.get, name: "NoSuchMethod" };
const get = ImageService.method.get;
const huge = { folderId: "dev-folder", name: "x".repeat(300 << 10) };
const refusals = [
  ["no token", (t) => t.unary(get, undefined, undefined, {}, { imageId: "fd80dev0image0ubuntu" }), Code.Unauthenticated],
  ["unknown token", (t) => t.unary(get, undefined, undefined, { authorization: "Bearer nobody" }, { imageId: "fd80dev0image0ubuntu" }), Code.Unauthenticated],
  ["unknown method", (t) => t.unary(unknownMethod, undefined, undefined, auth, { imageId: "fd80dev0image0ubuntu" }), Code.Unimplemented],
  // tonic's own code for a message over its decoding limit, over HTTP/2 as well.
  ["a message over the limit", (t) => t.unary(ImageService.method.create, undefined, undefined, auth, huge), Code.OutOfRange],
];
let refused = 0;
const wrong = [];
for (const baseUrl of urls) {
  const transport = createGrpcWebTransport({ baseUrl, httpVersion: "1.1" });
  for (const [what, call, code] of refusals) {
    for (let i = 0; i < 5; i++) {
      const at = `grpc-web/1.1 ${baseUrl}, ${what}, run ${i + 1}`;
      try {
        await call(transport);
        wrong.push(`${at}: answered OK`);
      } catch (e) {
        if (!(e instanceof ConnectError) || e.code !== code) {
          wrong.push(`${at}: ${Code[e.code] ?? e} ${e.rawMessage ?? ""}`);
        } else {
          refused++;
        }
      }
    }
  }
}
assert.deepEqual(wrong, [], `refusals answered with the wrong status:\n${wrong.join("\n")}`);
console.log(`connect-es refusals: ${refused} passed`);
