"""Stores and files by URL: local paths, file:// URLs and s3://bucket/prefix.

Every write replaces a whole object atomically, as the commit protocol needs (docs/dataplane.md):
locally a temporary file in the same directory renamed over the target; on S3 one PUT.
S3 goes through boto3 (Debian's python3-boto3); the endpoint comes from AWS_ENDPOINT_URL_S3 or
AWS_ENDPOINT_URL (path-style addressing then, as S3-compatible servers expect), credentials from
the usual AWS chain (IRSA on EKS), as the TypeScript S3 store does.
"""
from __future__ import annotations

import os
import re
import secrets
from functools import lru_cache
from typing import Protocol
from urllib.parse import unquote, urlparse


class Store(Protocol):
    url: str

    def get(self, key: str) -> bytes | None: ...

    def set(self, key: str, value: bytes) -> None: ...


def _check_key(key: str) -> None:
    if key.startswith("/") or any(part in ("", ".", "..") for part in key.split("/")):
        raise ValueError(f"store key {key!r}: not a normalised relative key")


class FileStore:
    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self.url = f"file://{self.root}"

    def get(self, key: str) -> bytes | None:
        _check_key(key)
        try:
            with open(os.path.join(self.root, key), "rb") as f:
                return f.read()
        except FileNotFoundError:
            return None

    def set(self, key: str, value: bytes) -> None:
        _check_key(key)
        path = os.path.join(self.root, key)
        folder = os.path.dirname(path)
        os.makedirs(folder, exist_ok=True)
        # Same prefix as the TypeScript FileStore, so tools that skip its temporaries skip ours.
        tmp = os.path.join(folder, f".tmp-{os.getpid()}-{secrets.token_hex(6)}")
        try:
            with open(tmp, "wb") as f:
                f.write(value)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise


@lru_cache(maxsize=None)
def _s3_client(endpoint: str | None, region: str):
    import boto3
    from botocore.config import Config

    config = Config(s3={"addressing_style": "path"}) if endpoint else None
    return boto3.client("s3", endpoint_url=endpoint, region_name=region, config=config)


class S3Store:
    def __init__(self, bucket: str, prefix: str) -> None:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
            raise ValueError(f"s3 url: invalid bucket name {bucket!r}")
        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.url = f"s3://{bucket}/{self.prefix}"
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        self.client = _s3_client(endpoint, os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1")

    def _key(self, key: str) -> str:
        return key if self.prefix == "" else f"{self.prefix}/{key}"

    def get(self, key: str) -> bytes | None:
        _check_key(key)
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except self.client.exceptions.NoSuchKey:
            return None
        except Exception as err:  # botocore ClientError without the modelled NoSuchKey (HEAD-less 404s)
            if getattr(err, "response", {}).get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
                return None
            raise

    def set(self, key: str, value: bytes) -> None:
        _check_key(key)
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=value)


def local_path(url: str) -> str | None:
    """The filesystem path of a plain path or file:// URL; None for other schemes."""
    if url.startswith("file://"):
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            raise ValueError(f"{url}: file URLs on another host are not supported")
        return unquote(parsed.path)
    if re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        return None
    return url


def open_store(url: str) -> Store:
    """A Zarr store (or any key space) from a URL: file://, a plain path, or s3://bucket/prefix."""
    if url.startswith("s3://"):
        m = re.fullmatch(r"s3://([^/]+)/?(.*)", url)
        if m is None:
            raise ValueError(f"{url}: expected s3://bucket/prefix")
        return S3Store(m.group(1), m.group(2))
    path = local_path(url)
    if path is None:
        raise ValueError(f"store url {url}: unsupported scheme (use file://, a local path or s3://)")
    return FileStore(path)


def _split(url: str) -> tuple[Store, str]:
    cut = url.rstrip("/").rfind("/")
    if cut < 0:
        return open_store("."), url
    base, name = url[:cut], url[cut + 1:]
    if base in ("s3:/", "file:/", "file:"):
        raise ValueError(f"{url}: no object name")
    return open_store(base or "/"), name


def read_url(url: str) -> bytes:
    """The whole object at a URL; FileNotFoundError names the URL when it does not exist."""
    store, name = _split(url)
    data = store.get(name)
    if data is None:
        raise FileNotFoundError(f"{url}: not found")
    return data


def write_url(url: str, data: bytes) -> None:
    """Replaces the object at a URL atomically."""
    store, name = _split(url)
    store.set(name, data)
