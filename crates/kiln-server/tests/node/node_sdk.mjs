// The official Node SDK (@yandex-cloud/nodejs-sdk 3.2) against `kiln serve --tls`: its own
// Session with only the endpoint overridden; the development certificate is trusted through
// NODE_EXTRA_CA_CERTS, as the README tells users. Usage: node node_sdk.mjs HOST:PORT SUBJECT
import assert from "node:assert/strict";
import { Session, waitForOperation, errors } from "@yandex-cloud/nodejs-sdk";
import { imageService } from "@yandex-cloud/nodejs-sdk/compute-v1";

const [endpoint, subject] = process.argv.slice(2);
const session = new Session({ iamToken: "dev-token", pollInterval: 100 });
const images = session.client(imageService.ImageServiceClient, endpoint);
let passed = 0;

// Create, then the SDK's own waitForOperation: the subject and the real API's done description.
const started = await images.create(
  imageService.CreateImageRequest.fromPartial({
    folderId: "dev-folder",
    name: "node-sdk-create",
    diskId: "fhm0dev0disk0ubuntu1",
  }),
);
assert.equal(started.createdBy, subject);
assert.equal(started.done, false);
const done = await waitForOperation(started, session, 60_000, endpoint);
assert.equal(done.done, true);
assert.equal(done.description, "Create image");
assert.equal(done.createdBy, subject);
passed++;

// An invalid request: grpc-js decodes grpc-message with decodeURI, so only a message encoded
// as the spec says reads back whole; the SDK's ApiError carries the request and trace IDs.
try {
  await images.create(
    imageService.CreateImageRequest.fromPartial({
      folderId: "dev-folder",
      name: "Not Valid?",
      diskId: "fhm0dev0disk0ubuntu1",
    }),
  );
  assert.fail("an invalid name is refused");
} catch (e) {
  assert.ok(e instanceof errors.ApiError, `an ApiError: ${e}`);
  assert.match(e.message, /INVALID_ARGUMENT/);
  assert.ok(!/%[0-9A-F]{2}/.test(e.message), `no percent escapes left: ${e.message}`);
  // The message's non-ASCII quotes went percent-encoded and came back whole.
  assert.match(e.message, /may only contain lowercase Latin letters, digits, hyphens and underscores \(it has “N”\)/, e.message);
  assert.match(String(e.requestId), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(String(e.serverTraceId), /^[0-9a-f]{32}$/);
}
passed++;

// A request ID the client sends comes back.
const tagged = new Session({ iamToken: "dev-token", headers: { "x-request-id": "node-sdk-request-1" } });
try {
  await tagged
    .client(imageService.ImageServiceClient, endpoint)
    .get(imageService.GetImageRequest.fromPartial({ imageId: "fd8nosuchimage000000" }));
  assert.fail("a missing image is NOT_FOUND");
} catch (e) {
  assert.ok(e instanceof errors.ApiError, `an ApiError: ${e}`);
  assert.match(e.message, /NOT_FOUND/);
  assert.equal(String(e.requestId), "node-sdk-request-1");
}
passed++;

console.log(`node sdk: ${passed} passed`);
