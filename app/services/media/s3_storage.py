"""Media storage in an S3-compatible bucket (``MEDIA_STORAGE=s3``): AWS S3, Ceph RGW,
SeaweedFS, Garage, R2, MinIO. Every app host reads and writes the same bucket.

    [prefix]media/<key>/<variant>.webp     public: the bucket policy lets anyone read media/*
    [prefix]private/<key>/<variant>.webp   never public: reached only through the app

(``MEDIA_S3_PREFIX``, empty by default, lets several instances share one bucket.)

A public object's URL is ``MEDIA_PUBLIC_URL/media/<key>/<variant>.webp`` (the bucket itself
by default, or a CDN in front of it), the same path the local backend's nginx serves, and
it carries a long Cache-Control. A private object is handed to a viewer the app has
checked by streaming, never by telling the browser where it is: behind nginx the app
answers with an X-Accel-Redirect to an internal location that proxies a presigned GET,
good for ``MEDIA_S3_URL_SECONDS``, to the bucket; without nginx the app streams the object
itself. The browser only ever sees this host's URL, checked on every request, so a leaked
link is a 404 to anyone else (docs/operations.md, "Media on object storage", has the
measurements this choice rests on).

Moving a key between the areas copies each object, then deletes the original: at every
moment each file is in one area or both, never neither, and a move cut short by a crash
is finished by the next one. Deleting names every possible object of a key in one
request, so it never depends on a listing being up to date.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar, cast
from urllib.parse import urlsplit

import boto3
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError
from flask import redirect, request
from werkzeug.http import http_date
from werkzeug.wrappers import Response

from app.services.media.storage_base import (
    COPY_BLOCK,
    KEY_PATTERN,
    PUBLIC_CACHE,
    VARIANTS,
    Content,
    Located,
    MediaStorageError,
    checked_key,
    checked_variant,
    file_name,
    mimetype_of,
    variant_of,
)

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import ObjectIdentifierTypeDef

log = logging.getLogger(__name__)

AREAS = {True: "media", False: "private"}
# nginx's internal location that proxies a presigned GET to the bucket (deploy/nginx).
ACCEL_PREFIX = "/_s3_media"
# A redirect to a public object may be kept for as long as a private photo's page is.
REDIRECT_CACHE = "public, max-age=600"
# Files at least this large go up in parts, several at once (a video's renditions).
TRANSFER = TransferConfig(multipart_threshold=16 * 1024 * 1024, multipart_chunksize=8 * 1024 * 1024)
# Keys moved at once when a whole account is hidden or restored.
MOVE_WORKERS = 8
_MISSING = {"404", "NoSuchKey", "NotFound"}

T = TypeVar("T")
R = TypeVar("R")


def bucket_url(endpoint: str, bucket: str, region: str, *, path_style: bool) -> str:
    """Where the bucket's objects are read from without signing: ``<this>/media/...``."""
    if not endpoint:
        return f"https://{bucket}.s3.{region}.amazonaws.com"
    parts = urlsplit(endpoint.rstrip("/"))
    if path_style:
        return f"{parts.scheme}://{parts.netloc}{parts.path}/{bucket}"
    return f"{parts.scheme}://{bucket}.{parts.netloc}{parts.path}"


def make_client(config: Mapping[str, Any]) -> S3Client:
    """A client for the configured bucket; boto3's own chain (instance role, AWS_* variables)
    supplies credentials that MEDIA_S3_ACCESS_KEY_ID does not."""
    settings = BotoConfig(
        signature_version="s3v4",
        s3={"addressing_style": "path" if config["MEDIA_S3_PATH_STYLE"] else "virtual"},
        connect_timeout=5,
        read_timeout=60,
        retries={"max_attempts": 3, "mode": "standard"},
        max_pool_connections=MOVE_WORKERS * 2,
    )
    return boto3.session.Session().client(
        "s3",
        endpoint_url=config["MEDIA_S3_ENDPOINT"] or None,
        region_name=config["MEDIA_S3_REGION"],
        aws_access_key_id=config["MEDIA_S3_ACCESS_KEY_ID"] or None,
        aws_secret_access_key=config["MEDIA_S3_SECRET_ACCESS_KEY"] or None,
        config=settings,
    )


def _is_missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


@contextmanager
def _answered(what: str) -> Iterator[None]:
    """The bucket's failures as one error the app answers with 503 (an upload from a file
    reports the bucket's refusal as boto3's own S3UploadFailedError)."""
    try:
        yield
    except (BotoCoreError, ClientError, Boto3Error) as error:
        raise MediaStorageError(f"Media storage: {what} failed ({error})") from error


class S3MediaStorage:
    """MediaStorage on an S3 bucket; thread-safe, like the boto3 client it holds."""

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        *,
        public_url: str,
        x_accel: bool = False,
        url_seconds: int = 300,
        prefix: str = "",
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix
        self.areas = {public: f"{prefix}{area}" for public, area in AREAS.items()}
        self.public_url = public_url.rstrip("/")
        self.x_accel = x_accel
        self.url_seconds = url_seconds

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> S3MediaStorage:
        return cls(
            make_client(config),
            config["MEDIA_S3_BUCKET"],
            public_url=config["MEDIA_PUBLIC_URL"] or cls.default_public_url(config),
            x_accel=config["MEDIA_X_ACCEL"],
            url_seconds=config["MEDIA_S3_URL_SECONDS"],
            prefix=config["MEDIA_S3_PREFIX"],
        )

    @staticmethod
    def default_public_url(config: Mapping[str, Any]) -> str:
        """The bucket (and prefix) itself: ``<this>/media/<key>/<file>`` is the object."""
        url = bucket_url(
            config["MEDIA_S3_ENDPOINT"],
            config["MEDIA_S3_BUCKET"],
            config["MEDIA_S3_REGION"],
            path_style=config["MEDIA_S3_PATH_STYLE"],
        )
        return f"{url}/{config['MEDIA_S3_PREFIX']}".rstrip("/")

    def object_key(self, key: str, variant: str, *, public: bool) -> str:
        return f"{self.areas[public]}/{checked_key(key)}/{file_name(variant)}"

    def save(self, key: str, variants: Mapping[str, Content], *, public: bool) -> None:
        """Write every variant, or none: a failure removes what this call wrote."""
        names = [checked_variant(name) for name in variants]
        checked_key(key)
        written: list[str] = []
        try:
            for name in names:
                object_key = self.object_key(key, name, public=public)
                self._put(object_key, name, variants[name], public=public)
                written.append(object_key)
        except BaseException:
            self._delete_quietly(written)
            raise
        self._delete_objects(self._all_objects(key, public=not public))  # one area only

    def delete(self, key: str) -> None:
        self._delete_objects(
            self._all_objects(key, public=True) + self._all_objects(key, public=False)
        )

    def set_public(self, key: str, public: bool) -> None:
        self.move([key], public=public)

    def move(self, keys: Iterable[str], *, public: bool) -> list[str]:
        """Copy each key's objects into the area, then delete them from the other; returns
        the keys that moved (not those already there). Keys move several at once."""
        checked = [checked_key(key) for key in keys]
        moved = _in_parallel(lambda key: self._move_one(key, public), checked)
        return [key for key, did in zip(checked, moved, strict=True) if did]

    def locate(self, key: str, variant: str) -> Located | None:
        for public in (True, False):
            object_key = self.object_key(key, variant, public=public)
            try:
                self.client.head_object(Bucket=self.bucket, Key=object_key)
            except ClientError as error:
                if _is_missing(error):
                    continue
                raise MediaStorageError(f"Media storage: looking up {object_key}") from error
            except BotoCoreError as error:
                raise MediaStorageError(f"Media storage: looking up {object_key}") from error
            return Located(key, variant, public)
        return None

    @contextmanager
    def open(self, located: Located) -> Iterator[tuple[IO[bytes], int]]:
        """The object as a stream read from the bucket as it is consumed: memory stays at a
        block however large the file."""
        object_key = self.object_key(located.key, located.variant, public=located.public)
        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=object_key)
        except ClientError as error:
            if _is_missing(error):
                raise FileNotFoundError(object_key) from error
            raise MediaStorageError(f"Media storage: reading {object_key}") from error
        except BotoCoreError as error:
            raise MediaStorageError(f"Media storage: reading {object_key}") from error
        body = answer["Body"]
        try:
            yield cast(IO[bytes], body), answer["ContentLength"]
        finally:
            body.close()

    def send(self, located: Located, *, cache_control: str) -> Response:
        """A public object: a redirect to its public URL. A private one: streamed, by nginx
        from a presigned URL it alone sees, or by the app without nginx."""
        name = file_name(located.variant)
        if located.public:
            response = redirect(f"{self.public_url}/media/{located.key}/{name}", 302)
            response.headers["Cache-Control"] = REDIRECT_CACHE
            return response
        object_key = self.object_key(located.key, located.variant, public=False)
        if self.x_accel:
            return self._accel(object_key, located.variant, cache_control)
        return self._stream(object_key, located.variant, cache_control)

    def stored_keys(self) -> Iterator[tuple[str, float]]:
        """Every key of either area once, with its newest object's time. Both listings come
        in key order, so they are merged as they are read: memory stays flat."""
        listed = heapq.merge(self._listed(public=True), self._listed(public=False))
        for key, times in itertools.groupby(listed, key=lambda item: item[0]):
            yield key, max(when for _, when in times)

    def usage(self) -> tuple[int, int]:
        files = size = 0
        for public in (True, False):
            for entry in self._objects(f"{self.areas[public]}/"):
                files += 1
                size += entry.get("Size", 0)
        return files, size

    def stored_files(self) -> Iterator[tuple[Located, int]]:
        """Every object of both areas, with its size: one listing per area, never a request
        per file (what a migration from the local disk compares against)."""
        for public in (True, False):
            for key, name, entry in self._area_objects(public=public):
                if variant := variant_of(name):
                    yield Located(key, variant, public), entry.get("Size", 0)

    def copy_in(self, located: Located, path: Path) -> None:
        """Upload a file from disk as the variant in the area ``located`` names, streamed
        and with the headers a save gives it (a migration from the local disk)."""
        object_key = self.object_key(located.key, located.variant, public=located.public)
        self._put(object_key, located.variant, path, public=located.public)

    def clear_area(self, key: str, *, public: bool) -> None:
        """Remove every object of the key from one area: the key lives in the other."""
        self._delete_objects(self._all_objects(checked_key(key), public=public))

    def check(self) -> None:
        """A write and a delete, as an upload would make."""
        probe = f"{self.prefix}.readyz/probe"
        with _answered("the readiness probe"):
            self.client.put_object(Bucket=self.bucket, Key=probe, Body=b"")
            self.client.delete_object(Bucket=self.bucket, Key=probe)

    # Below: the bucket calls.

    def _put(self, object_key: str, variant: str, data: Content, *, public: bool) -> None:
        if not isinstance(data, bytes | Path):
            raise TypeError(
                f"{file_name(variant)}: expected bytes or a path, got {type(data).__name__}"
            )
        content_type, cache_control = mimetype_of(variant), _stored_cache(public)
        with _answered(f"writing {object_key}"):
            if isinstance(data, bytes):
                self.client.put_object(
                    Bucket=self.bucket,
                    Key=object_key,
                    Body=data,
                    ContentType=content_type,
                    CacheControl=cache_control,
                )
            else:
                self.client.upload_file(
                    str(data),
                    self.bucket,
                    object_key,
                    ExtraArgs={"ContentType": content_type, "CacheControl": cache_control},
                    Config=TRANSFER,
                )

    def _move_one(self, key: str, public: bool) -> bool:
        source = f"{self.areas[not public]}/{key}/"
        found = [entry["Key"] for entry in self._objects(source)]
        if not found:
            return False
        for object_key in found:
            variant = variant_of(object_key.rsplit("/", 1)[-1])
            if variant is None:
                continue  # not ours: left for the sweep's report, never moved into public
            target = self.object_key(key, variant, public=public)
            with _answered(f"copying {object_key}"):
                self.client.copy_object(
                    Bucket=self.bucket,
                    Key=target,
                    CopySource={"Bucket": self.bucket, "Key": object_key},
                    MetadataDirective="REPLACE",
                    ContentType=mimetype_of(variant),
                    CacheControl=_stored_cache(public),
                )
        self._delete_objects(found)
        return True

    def _all_objects(self, key: str, *, public: bool) -> list[str]:
        return [self.object_key(key, variant, public=public) for variant in sorted(VARIANTS)]

    def _delete_objects(self, object_keys: Sequence[str]) -> None:
        """One request per thousand keys; keys that are not there are no error."""
        for start in range(0, len(object_keys), 1000):
            batch: list[ObjectIdentifierTypeDef] = [
                {"Key": key} for key in object_keys[start : start + 1000]
            ]
            with _answered("deleting files"):
                answer = self.client.delete_objects(
                    Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True}
                )
            failed = [e for e in answer.get("Errors", []) if e.get("Code") not in _MISSING]
            if failed:
                raise MediaStorageError(f"Media storage: deleting failed ({failed[0]})")

    def _delete_quietly(self, object_keys: Sequence[str]) -> None:
        """Cleaning up after a failed save: the save's own error is the one to report."""
        try:
            self._delete_objects(object_keys)
        except MediaStorageError:
            log.warning("Could not remove %d files of a failed save", len(object_keys))

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("list_objects_v2")
        with _answered(f"listing {prefix}"):
            for page in pages.paginate(Bucket=self.bucket, Prefix=prefix):
                yield from cast(list[dict[str, Any]], page.get("Contents", []))

    def _area_objects(self, *, public: bool) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(key, file name, listing entry) for each object of the area, in key order;
        anything not laid out as ``<area>/<key>/<file>`` is passed over."""
        area = f"{self.areas[public]}/"
        for entry in self._objects(area):
            key, slash, name = entry["Key"].removeprefix(area).partition("/")
            if slash and "/" not in name and KEY_PATTERN.fullmatch(key):
                yield key, name, entry

    def _listed(self, *, public: bool) -> Iterator[tuple[str, float]]:
        """(key, time) for each object of the area, in key order."""
        for key, _, entry in self._area_objects(public=public):
            yield key, entry["LastModified"].timestamp()

    def _presigned(self, object_key: str, variant: str, cache_control: str) -> str:
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": object_key,
                "ResponseCacheControl": cache_control,
                "ResponseContentType": mimetype_of(variant),
            },
            ExpiresIn=self.url_seconds,
        )

    def _accel(self, object_key: str, variant: str, cache_control: str) -> Response:
        """nginx fetches the presigned URL itself (ranges and all) and streams the answer;
        the bucket's answer carries the Cache-Control and type signed into the URL."""
        url = urlsplit(self._presigned(object_key, variant, cache_control))
        response = Response(status=200, content_type=mimetype_of(variant))
        response.headers["X-Accel-Redirect"] = f"{ACCEL_PREFIX}{url.path}?{url.query}"
        response.headers["Cache-Control"] = cache_control
        return response

    def _stream(self, object_key: str, variant: str, cache_control: str) -> Response:
        """The app streams the object, a block at a time, passing a range (a video's seek)
        and a revalidation on to the bucket."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": object_key}
        if request.headers.get("Range"):
            params["Range"] = request.headers["Range"]
        if request.headers.get("If-None-Match"):
            params["IfNoneMatch"] = request.headers["If-None-Match"]
        try:
            answer = self.client.get_object(**params)
        except ClientError as error:
            status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0))
            if status in (304, 416) or _is_missing(error):
                response = Response(status=404 if _is_missing(error) else status)
                response.headers["Cache-Control"] = cache_control
                return response
            raise MediaStorageError(f"Media storage: reading {object_key}") from error
        except BotoCoreError as error:
            raise MediaStorageError(f"Media storage: reading {object_key}") from error
        body = answer["Body"]
        response = Response(
            body.iter_chunks(COPY_BLOCK),
            status=206 if answer.get("ContentRange") else 200,
            content_type=mimetype_of(variant),
            direct_passthrough=True,
        )
        response.call_on_close(body.close)
        response.headers["Content-Length"] = str(answer["ContentLength"])
        response.headers["Accept-Ranges"] = "bytes"
        for header, field in (
            ("Content-Range", "ContentRange"),
            ("ETag", "ETag"),
            ("Last-Modified", "LastModified"),
        ):
            if answer.get(field):
                value = answer[field]  # type: ignore[literal-required]
                response.headers[header] = value if isinstance(value, str) else http_date(value)
        response.headers["Cache-Control"] = cache_control
        return response


def _stored_cache(public: bool) -> str:
    """The Cache-Control stored with an object: what the bucket (or a CDN) answers with. A
    private object is only ever read through the app, which names its own."""
    return PUBLIC_CACHE if public else "private, no-store"


def _in_parallel(work: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """``work`` on each item, several at once when there are several; results in order."""
    if len(items) <= 1:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(MOVE_WORKERS, len(items))) as pool:
        return list(pool.map(work, items))
