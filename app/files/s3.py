"""The bytes of files in a bucket of an S3-compatible server (``RUCHE_FILE_STORE=s3``),
so that several app servers share them. Uploads are still received, sniffed and
cleaned in local temporary files (``Store.temporary``); keeping one sends it to
the bucket under ``RUCHE_S3_PREFIX`` + its key and removes the local copy.

boto3 blocks: every call to it runs in a thread, never on the event loop. Its
client is thread-safe and made once.
"""

import asyncio
import re
from collections.abc import AsyncIterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.response import StreamingBody
from starlette.datastructures import Headers
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.types import Receive, Scope, Send

from app.config import Settings
from app.files.store import CHUNK, Incoming, Store

# One range, as S3 answers it. Several ranges are not passed on: AWS S3 does not
# serve them, and RFC 9110 lets a server answer the whole content instead.
ONE_RANGE = re.compile(r"bytes=(\d+-\d*|-\d+)")


class S3Store(Store):
    """The bytes in ``RUCHE_S3_BUCKET``, read and written with boto3."""

    def __init__(self, settings: Settings):
        super().__init__(settings.files_dir)
        self.bucket = settings.s3_bucket
        self.prefix = settings.s3_prefix
        secret = settings.s3_secret_access_key.get_secret_value()
        self.client = boto3.session.Session().client(
            "s3",
            endpoint_url=settings.s3_endpoint_url or None,
            region_name=settings.s3_region or None,
            aws_access_key_id=settings.s3_access_key_id or None,
            aws_secret_access_key=secret or None,
            config=Config(
                # A server of one's own (MinIO, Ceph, Garage...) is reached by its
                # address: the bucket in the path, not in a host name.
                s3={"addressing_style": "path" if settings.s3_endpoint_url else "auto"},
                # Checksums only where the API requires them: the newer default
                # ones (CRC trailers) are refused by many S3-compatible servers.
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def object_key(self, key: str) -> str:
        return self.prefix + self.checked(key)

    async def keep(self, incoming: Incoming, key: str | None = None) -> str:
        """Sends what was received to the bucket (in parts when large, by boto3's
        transfer manager) and removes the local copy."""
        key = key or incoming.sha256
        incoming.handle.flush()
        await asyncio.to_thread(
            self.client.upload_file, str(incoming.path), self.bucket, self.object_key(key)
        )
        incoming.discard()
        return key

    def response(self, key: str, *, media_type: str, headers: dict[str, str]) -> Response:
        return ObjectResponse(self, self.object_key(key), media_type=media_type, headers=headers)

    async def exists(self, key: str) -> bool:
        try:
            await asyncio.to_thread(
                self.client.head_object, Bucket=self.bucket, Key=self.object_key(key)
            )
        except ClientError as error:
            if status_of(error) == 404:
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(
            self.client.delete_object, Bucket=self.bucket, Key=self.object_key(key)
        )


def status_of(error: ClientError) -> int:
    return error.response["ResponseMetadata"]["HTTPStatusCode"]


class ObjectResponse(StreamingResponse):
    """An object of the bucket as the answer, asked for only when the answer is
    sent (as FileResponse reads its file then), with the client's Range passed on
    to S3 and S3's 206 relayed. The body is streamed chunk by chunk, never held
    whole."""

    def __init__(
        self, store: S3Store, object_key: str, *, media_type: str, headers: dict[str, str]
    ):
        # No body yet: it is asked of S3 when the answer is sent (``__call__``).
        super().__init__((), media_type=media_type, headers=headers)
        self.headers["accept-ranges"] = "bytes"
        self.store = store
        self.object_key = object_key

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        client, bucket = self.store.client, self.store.bucket
        asked = self.range_asked(Headers(scope=scope))
        try:
            answer = await asyncio.to_thread(
                client.get_object, Bucket=bucket, Key=self.object_key, **asked
            )
        except ClientError as error:
            if status_of(error) != 416:
                raise
            # As Starlette's FileResponse answers a range past the end.
            head = await asyncio.to_thread(client.head_object, Bucket=bucket, Key=self.object_key)
            refusal = PlainTextResponse(
                status_code=416, headers={"content-range": f"bytes */{head['ContentLength']}"}
            )
            return await refusal(scope, receive, send)
        body = answer["Body"]
        self.status_code = answer["ResponseMetadata"]["HTTPStatusCode"]
        self.headers["content-length"] = str(answer["ContentLength"])
        if "ContentRange" in answer:
            self.headers["content-range"] = answer["ContentRange"]
        self.body_iterator = chunks_of(body)
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the client went away half-way: the connection goes back
            # to boto3's pool closed, not half read.
            body.close()

    def range_asked(self, request_headers: Headers) -> dict[str, str]:
        """The request's one range, unless ``If-Range`` names other bytes than
        these (the ETag is the key: the bytes under it never change)."""
        asked = request_headers.get("range", "").replace(" ", "")
        if_range = request_headers.get("if-range")
        if not ONE_RANGE.fullmatch(asked) or (if_range and if_range != self.headers.get("etag")):
            return {}
        return {"Range": asked}


async def chunks_of(body: StreamingBody) -> AsyncIterator[bytes]:
    while chunk := await asyncio.to_thread(body.read, CHUNK):
        yield chunk
