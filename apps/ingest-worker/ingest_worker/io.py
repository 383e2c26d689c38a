"""Stores and files by URL: local paths, file:// URLs and s3://bucket/prefix; remote sources.

Every write replaces a whole object atomically, as the commit protocol needs (docs/dataplane.md):
locally a temporary file in the same directory renamed over the target; on S3 one PUT.
S3 goes through boto3 (Debian's python3-boto3); the endpoint comes from AWS_ENDPOINT_URL_S3 or
AWS_ENDPOINT_URL (path-style addressing then, as S3-compatible servers expect), credentials from
the usual AWS chain (IRSA on EKS), as the TypeScript S3 store does.

Sources (`fetch_source`) are the IngestJob's, read with its own settings: the DMAC_SOURCE_*
variables the operator puts in the DaskJob (daskjob.ts sourceEnv), never AWS_*, which are the
pods' identity for the store.
"""
from __future__ import annotations

import os
import re
import secrets
import shutil
import tempfile
import urllib.error
import urllib.request
from contextlib import contextmanager
from functools import lru_cache
from typing import Iterator, Protocol
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


class SourceFetchError(Exception):
    """A remote source that cannot be downloaded; the message names the URL and the reason."""


@lru_cache(maxsize=None)
def _source_s3_client(endpoint: str | None, region: str, anonymous: bool, key_id: str | None, secret: str | None):
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    options: dict = {}
    if endpoint:
        options["s3"] = {"addressing_style": "path"}
    if anonymous:
        # Public buckets (NODD) refuse nothing unsigned, and a pod's own identity must not leak into them.
        options["signature_version"] = UNSIGNED
    credentials = {"aws_access_key_id": key_id, "aws_secret_access_key": secret} if key_id and secret and not anonymous else {}
    # A session of its own: boto3's default session would pick up the store's AWS_* identity.
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint, region_name=region, config=Config(**options), **credentials)


def source_s3_client():
    """The source's S3 client from DMAC_SOURCE_*: region (default us-east-1, as the operator's),
    endpoint (path-style), unsigned when DMAC_SOURCE_ANONYMOUS=true, else the Secret's keys, else the
    pod's default chain (as the operator does for a source that names no credentials)."""
    env = os.environ
    key_id, secret = env.get("DMAC_SOURCE_AWS_ACCESS_KEY_ID") or None, env.get("DMAC_SOURCE_AWS_SECRET_ACCESS_KEY") or None
    if (key_id is None) != (secret is None):
        raise SourceFetchError("DMAC_SOURCE_AWS_ACCESS_KEY_ID and DMAC_SOURCE_AWS_SECRET_ACCESS_KEY must be set together")
    return _source_s3_client(
        env.get("DMAC_SOURCE_S3_ENDPOINT") or None,
        env.get("DMAC_SOURCE_AWS_REGION") or "us-east-1",
        env.get("DMAC_SOURCE_ANONYMOUS", "").lower() == "true",
        key_id,
        secret,
    )


def _describe_client_error(err: Exception) -> tuple[str, bool]:
    """S3's answer as `<status> <code>: <message>` and whether trying again may help."""
    response = getattr(err, "response", None) or {}
    status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    code = response.get("Error", {}).get("Code") or type(err).__name__
    message = response.get("Error", {}).get("Message") or ""
    text = " ".join(str(part) for part in (status, code) if part) + (f": {message}" if message and message != code else "")
    if status == 403:
        text += " (check the credentials in spec.source.credentials.secretRef)"
    return text, status is not None and (status >= 500 or status == 429)


def _download_s3(url: str, out) -> None:
    from botocore.exceptions import BotoCoreError, ClientError

    m = re.fullmatch(r"s3://([^/]+)/(.+)", url)
    if m is None:
        raise SourceFetchError(f"{url}: expected s3://bucket/key")
    try:
        body = source_s3_client().get_object(Bucket=m.group(1), Key=m.group(2))["Body"]
        for block in body.iter_chunks(1024 * 1024):
            out.write(block)
    except ClientError as err:
        text, transient = _describe_client_error(err)
        raise SourceFetchError(f"{url}: S3 answered {text}{'; run again' if transient else ''}") from err
    except BotoCoreError as err:
        # Endpoint unreachable, connection reset mid-body, no credentials: worth another attempt.
        raise SourceFetchError(f"{url}: cannot read from S3 ({err}); run again") from err


def _download_http(url: str, out) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            shutil.copyfileobj(response, out, 1024 * 1024)
    except urllib.error.HTTPError as err:
        transient = err.code >= 500 or err.code == 429
        raise SourceFetchError(f"{url}: GET answered {err.code} {err.reason}{'; run again' if transient else ''}") from err
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", None) or err
        raise SourceFetchError(f"{url}: cannot fetch ({reason}); run again") from err


@contextmanager
def fetch_source(url: str) -> Iterator[str]:
    """A local path for a task's source: the file itself for a path or file:// URL; for s3:// and
    http(s):// a temporary copy (streamed, never held in memory), removed when the block ends,
    also when it fails. SourceFetchError names the URL and the server's answer."""
    path = local_path(url)
    if path is not None:
        yield path
        return
    scheme = urlparse(url).scheme.lower()
    if scheme not in ("s3", "http", "https"):
        raise SourceFetchError(f"{url}: unsupported source scheme (use a local path, file://, s3:// or https://)")
    # Keep the object's name: netCDF-C guesses nothing from it, but logs and tracebacks read better.
    name = re.sub(r"[^A-Za-z0-9._-]", "_", os.path.basename(urlparse(url).path) or "source")[-100:]
    fd, tmp = tempfile.mkstemp(prefix="dmac-source-", suffix=f"-{name}")
    try:
        with os.fdopen(fd, "wb") as out:
            (_download_s3 if scheme == "s3" else _download_http)(url, out)
        yield tmp
    finally:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
