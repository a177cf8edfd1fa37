"""One Anki 26.x device for the JVM tests: PyPI's `anki` (desktop Anki's own library and Rust
backend) holding one collection, driven by dev.deckhand.ankiclient.PythonAnkiClient.

Protocol: one JSON object per line. The JVM writes requests to stdin,
    {"id": 7, "op": "rpc", "method": "addNote", "input": "<base64 protobuf>"}
and this process answers on its original stdout, in any order,
    {"id": 7, "result": ...}   or   {"id": 7, "error": {"kind": "SYNC_AUTH_ERROR", "message": "..."}}
where kind is the backend's BackendError kind name. Requests run one at a time on a worker thread,
except the aborts, which run at once so they can interrupt the request in flight. The process
ends when stdin closes, so it never outlives the test JVM.

Collection work goes through the backend's raw RPCs by name ("rpc"): the JVM encodes requests
with Anki 2.1.66's protobuf classes, which 26.x reads as protobuf allows. Syncing is done here
with 26.x's own messages, in the order desktop Anki 26.x uses them.
"""

import base64
import inspect
import json
import os
import queue
import re
import sys
import threading
import time

# The protocol owns the original stdout; anything the library prints goes to stderr (a log file).
protocol_out = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
os.dup2(2, 1)
sys.stdout = sys.stderr

import anki.buildinfo  # noqa: E402
from anki import _backend_generated, backend_pb2, generic_pb2, sync_pb2  # noqa: E402
from anki.collection import Collection  # noqa: E402

# (service, method) of every backend RPC, by snake-case name, read off the generated wrappers
# (some carry a docstring); every wrapper must be understood, or a method would silently go missing.
GENERATED_SOURCE = inspect.getsource(_backend_generated)
RPC_INDEXES = {
    name: (int(service), int(method))
    for name, service, method in re.findall(
        r'def (\w+)_raw\(self, message: bytes\) -> bytes:\s*(?:"""[\s\S]*?"""\s*)?'
        r"return self\._run_command\((\d+), (\d+), message\)",
        GENERATED_SOURCE,
    )
}
if len(RPC_INDEXES) != GENERATED_SOURCE.count("_raw(self, message: bytes) -> bytes:"):
    raise SystemExit("anki_device.py: could not read every backend RPC's index from _backend_generated.py")

REQUIRED_NAMES = {
    value: name for name, value in sync_pb2.SyncCollectionResponse.ChangesRequired.items()
}


class DeviceError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind
        self.message = message


class Device:
    def __init__(self):
        self.col = None

    # ---- plumbing --------------------------------------------------------------------------

    def rust(self):
        if self.col is None:
            raise DeviceError("INVALID_INPUT", "no collection is open")
        return self.col._backend._backend

    def command(self, name, payload):
        """Runs a backend RPC by snake-case name; backend errors become DeviceError."""
        if name not in RPC_INDEXES:
            raise DeviceError("INVALID_INPUT", f"Anki {anki.buildinfo.version} has no backend method {name}")
        service, method = RPC_INDEXES[name]
        try:
            return self.rust().command(service, method, payload)
        except Exception as error:  # the bridge raises with the BackendError's bytes
            raise as_device_error(error) from None

    @staticmethod
    def auth(request):
        return sync_pb2.SyncAuth(hkey=request["hkey"], endpoint=request["endpoint"])

    # ---- operations --------------------------------------------------------------------------

    def op_open(self, request):
        self.col = Collection(os.path.join(request["folder"], "collection.anki2"))
        return {"version": anki.buildinfo.version}

    def op_close(self, request):
        if self.col is not None:
            self.col.close(downgrade=False)
            self.col = None
        return None

    def op_rpc(self, request):
        # the JVM names methods as its generated backend does (addNote); pylib's are add_note
        name = re.sub(r"([A-Z])", r"_\1", request["method"]).lower()
        payload = base64.b64decode(request["input"])
        if name == "run_db_command":
            # AnkiDroid's DB RPC, a Json message around the DB proxy's JSON commands; desktop
            # sends the same commands through its own entry point
            request = generic_pb2.Json()
            request.ParseFromString(payload)
            try:
                output = generic_pb2.Json(json=self.rust().db_command(request.json)).SerializeToString()
            except Exception as error:
                raise as_device_error(error) from None
        else:
            output = self.command(name, payload)
        return base64.b64encode(output).decode("ascii")

    def op_sync_login(self, request):
        reply = sync_pb2.SyncAuth()
        reply.ParseFromString(self.command("sync_login", sync_pb2.SyncLoginRequest(
            username=request["username"], password=request["password"],
            endpoint=request["endpoint"]).SerializeToString()))
        return {"hkey": reply.hkey, "endpoint": reply.endpoint if reply.HasField("endpoint") else None}

    def op_sync_status(self, request):
        # what desktop asks in the background, e.g. for a profile that never synced
        reply = sync_pb2.SyncStatusResponse()
        reply.ParseFromString(self.command("sync_status", self.auth(request).SerializeToString()))
        return {"required": sync_pb2.SyncStatusResponse.Required.Name(reply.required)}

    def op_sync_collection(self, request):
        reply = sync_pb2.SyncCollectionResponse()
        # with media, as desktop does when media syncing is on: the backend starts the media sync
        # itself, from the media usn in meta's answer (so without /msync/begin)
        with_media = request.get("with_media", False)
        reply.ParseFromString(self.command("sync_collection", sync_pb2.SyncCollectionRequest(
            auth=self.auth(request), sync_media=with_media).SerializeToString()))
        if with_media:
            self.wait_for_media_sync()
        return {
            "required": REQUIRED_NAMES[reply.required],
            "server_message": reply.server_message,
            "new_endpoint": reply.new_endpoint if reply.HasField("new_endpoint") else None,
            "server_media_usn": reply.server_media_usn,
        }

    def op_full_sync(self, request):
        # as desktop does: let the backend close the collection, transfer, then reopen ours
        self.col.close_for_full_sync()
        try:
            self.command("full_upload_or_download", sync_pb2.FullUploadOrDownloadRequest(
                auth=self.auth(request), upload=request["upload"]).SerializeToString())
        finally:
            self.col.reopen(after_full_sync=True)
        return None

    def op_sync_media(self, request):
        self.command("sync_media", self.auth(request).SerializeToString())
        self.wait_for_media_sync()
        return None

    def wait_for_media_sync(self):
        # 26.x syncs media in the background; its status call raises the sync's error, if any
        while True:
            status = sync_pb2.MediaSyncStatusResponse()
            status.ParseFromString(self.command("media_sync_status", b""))
            if not status.active:
                return None
            time.sleep(0.02)

    def op_sync_error_texts(self, request):
        tr = self.col.tr
        return {
            "conflict": tr.sync_conflict(),
            "server_error": tr.sync_server_error(),
            "client_too_old": tr.sync_client_too_old(),
            "sanity_check_failed": tr.sync_sanity_check_failed(),
            "resync_required": tr.sync_resync_required(),
            "clock_off": tr.sync_clock_off(),
            "upload_too_large": tr.sync_upload_too_large(details="\u0001size\u0001"),
        }

    def op_abort_sync(self, request):
        self.command("abort_sync", b"")
        return None

    def op_abort_media_sync(self, request):
        self.command("abort_media_sync", b"")
        return None


IMMEDIATE_OPS = {"abort_sync", "abort_media_sync"}


def as_device_error(error):
    if error.args and isinstance(error.args[0], (bytes, bytearray, list)):
        parsed = backend_pb2.BackendError()
        parsed.ParseFromString(bytes(error.args[0]))
        return DeviceError(backend_pb2.BackendError.Kind.Name(parsed.kind), parsed.message)
    return DeviceError("UNKNOWN", repr(error))


write_lock = threading.Lock()


def answer(request_id, result=None, error=None):
    message = {"id": request_id}
    if error is None:
        message["result"] = result
    else:
        message["error"] = {"kind": error.kind, "message": error.message}
    line = json.dumps(message, ensure_ascii=True)
    with write_lock:
        protocol_out.write(line + "\n")


def run(device, request):
    try:
        handler = getattr(device, "op_" + request["op"], None)
        if handler is None:
            raise DeviceError("INVALID_INPUT", "unknown op " + request["op"])
        answer(request["id"], result=handler(request))
    except DeviceError as error:
        answer(request["id"], error=error)
    except Exception as error:  # a bug here, or pylib's own exception: report, keep serving
        answer(request["id"], error=DeviceError("UNKNOWN", f"{type(error).__name__}: {error}"))


def main():
    device = Device()
    work = queue.Queue()

    def worker():
        while True:
            request = work.get()
            if request is None:
                return
            run(device, request)

    threading.Thread(target=worker, daemon=True).start()
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] in IMMEDIATE_OPS:
            run(device, request)
        else:
            work.put(request)
    # the JVM closed our stdin (or died): stop without waiting for work in flight
    os._exit(0)


if __name__ == "__main__":
    main()
