"""Drives a running `kiln serve` with the official SDK's generated stubs (PyPI `yandexcloud`).

  drive_server.py HOST:PORT

Each scenario asserts; the last line is "N passed, 0 failed". Driven by
crates/kiln-server/tests/it/sdk.rs against an in-process server.
"""

import sys
import time
import uuid

import grpc
from google.rpc import error_details_pb2, status_pb2
from yandex.cloud.compute.v1 import image_pb2
from yandex.cloud.compute.v1 import image_service_pb2 as images_pb
from yandex.cloud.compute.v1 import image_service_pb2_grpc as images_grpc
from yandex.cloud.operation import operation_service_pb2 as operations_pb
from yandex.cloud.operation import operation_service_pb2_grpc as operations_grpc

channel = grpc.insecure_channel(sys.argv[1])
images = images_grpc.ImageServiceStub(channel)
operations = operations_grpc.OperationServiceStub(channel)
AUTH = [("authorization", "Bearer dev-token")]
FOLDER = "dev-folder"


def wait(operation):
    for _ in range(600):
        if operation.done:
            return operation
        time.sleep(0.05)
        operation = operations.Get(operations_pb.GetOperationRequest(operation_id=operation.id), metadata=AUTH)
    raise AssertionError(f"operation {operation.id} never finished")


def rpc_error(call, code):
    try:
        call()
    except grpc.RpcError as e:
        assert e.code() == code, f"expected {code}, got {e.code()}: {e.details()}"
        return e
    raise AssertionError(f"expected {code}, the call succeeded")


def create_poll_done():
    op = images.Create(images_pb.CreateImageRequest(
        folder_id=FOLDER, name="sdk-from-snapshot", snapshot_id="fd80dev0snap0ubuntu1",
        labels={"made-by": "python-sdk"}), metadata=AUTH)
    assert not op.done
    meta = images_pb.CreateImageMetadata()
    assert op.metadata.Unpack(meta) and meta.image_id
    assert op.created_by == "ajedev0user000000001", op.created_by
    done = wait(op)
    assert done.WhichOneof("result") == "response", done
    # The real API's manners: the subject, and a done operation's description without progress.
    assert done.created_by == "ajedev0user000000001", done.created_by
    assert done.description == "Create image", done.description
    image = image_pb2.Image()
    assert done.response.Unpack(image)
    assert image.id == meta.image_id and image.status == image_pb2.Image.READY
    assert image.labels["made-by"] == "python-sdk"
    assert image.min_disk_size == 20 * 2**30


def invalid_request_details():
    e = rpc_error(lambda: images.Create(images_pb.CreateImageRequest(folder_id=FOLDER, name="Bad Name"),
                                        metadata=AUTH + [("x-request-id", "python-request-1")]),
                  grpc.StatusCode.INVALID_ARGUMENT)
    # grpc-message as the spec encodes it (the quotes are non-ASCII, so percent-encoded)
    # reads back whole; the request ID comes back.
    assert "may only contain lowercase Latin letters, digits, hyphens and underscores (it has “B”)" in e.details(), e.details()
    headers = dict(e.initial_metadata())
    assert headers.get("x-request-id") == "python-request-1", headers
    assert len(headers.get("x-server-trace-id", "")) == 32, headers
    raw = dict(e.trailing_metadata())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(raw)
    bad = error_details_pb2.BadRequest()
    assert status.details[0].Unpack(bad)
    fields = sorted((v.field, v.description.split(" ")[0]) for v in bad.field_violations)
    assert fields == [("name", "may"), ("source", "choose")], fields


def list_get_delete():
    listed = images.List(images_pb.ListImagesRequest(folder_id=FOLDER, filter='name="ubuntu-2404-base"'), metadata=AUTH)
    assert [i.name for i in listed.images] == ["ubuntu-2404-base"]
    op = wait(images.Create(images_pb.CreateImageRequest(folder_id=FOLDER, name="sdk-to-delete",
                                                         image_id=listed.images[0].id), metadata=AUTH))
    image = image_pb2.Image()
    op.response.Unpack(image)
    got = images.Get(images_pb.GetImageRequest(image_id=image.id), metadata=AUTH)
    assert got.family == "" and got.os.type == image_pb2.Os.LINUX  # inherited from the source image
    deleted = images.Delete(images_pb.DeleteImageRequest(image_id=image.id), metadata=AUTH)
    assert deleted.done
    rpc_error(lambda: images.Get(images_pb.GetImageRequest(image_id=image.id), metadata=AUTH), grpc.StatusCode.NOT_FOUND)
    latest = images.GetLatestByFamily(images_pb.GetImageLatestByFamilyRequest(folder_id=FOLDER, family="ubuntu-2404"),
                                      metadata=AUTH)
    assert latest.name == "ubuntu-2404-base"


def idempotency():
    key = str(uuid.uuid4())
    request = images_pb.CreateImageRequest(folder_id=FOLDER, name="sdk-idempotent", disk_id="fhm0dev0disk0ubuntu1")
    first = images.Create(request, metadata=AUTH + [("idempotency-key", key)])
    again = images.Create(request, metadata=AUTH + [("idempotency-key", key)])
    assert first.id == again.id
    other = images_pb.CreateImageRequest(folder_id=FOLDER, name="sdk-idempotent-2", disk_id="fhm0dev0disk0ubuntu1")
    rpc_error(lambda: images.Create(other, metadata=AUTH + [("idempotency-key", key)]), grpc.StatusCode.INVALID_ARGUMENT)
    wait(first)


def cancel():
    op = images.Create(images_pb.CreateImageRequest(folder_id=FOLDER, name="sdk-cancel", disk_id="fhm0dev0disk0data001"),
                       metadata=AUTH)
    meta = images_pb.CreateImageMetadata()
    op.metadata.Unpack(meta)
    cancelled = operations.Cancel(operations_pb.CancelOperationRequest(operation_id=op.id), metadata=AUTH)
    assert cancelled.done and cancelled.error.code == 1, cancelled
    rpc_error(lambda: images.Get(images_pb.GetImageRequest(image_id=meta.image_id), metadata=AUTH),
              grpc.StatusCode.NOT_FOUND)


def auth():
    rpc_error(lambda: images.List(images_pb.ListImagesRequest(folder_id=FOLDER)), grpc.StatusCode.UNAUTHENTICATED)
    rpc_error(lambda: images.List(images_pb.ListImagesRequest(folder_id="other-folder"), metadata=AUTH),
              grpc.StatusCode.PERMISSION_DENIED)


SCENARIOS = [create_poll_done, invalid_request_details, list_get_delete, idempotency, cancel, auth]
failed = 0
for scenario in SCENARIOS:
    try:
        scenario()
        print(f"ok {scenario.__name__}")
    except Exception as e:  # report every scenario, then fail
        failed += 1
        print(f"FAILED {scenario.__name__}: {e!r}")
print(f"{len(SCENARIOS) - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
