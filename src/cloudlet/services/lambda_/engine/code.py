"""Function code on disk: uploaded zips unpacked once per content hash, or a local folder
("hot reload": `S3Bucket="hot-reload"`, `S3Key=<absolute directory>`, read live on each invoke).

Quotas: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import zipfile
from dataclasses import dataclass

from cloudlet.services.lambda_.engine import errors

HOT_RELOAD_BUCKET = "hot-reload"
MAX_UNZIPPED = 262_144_000


@dataclass(frozen=True)
class Code:
    sha256: str  # base64 SHA-256 of the zip, as Lambda reports CodeSha256
    size: int
    directory: str  # what LAMBDA_TASK_ROOT points at
    hot_reload: bool = False


class CodeStore:
    def __init__(self, root: str) -> None:
        self.root = root

    def from_zip(self, data: bytes) -> Code:
        digest = hashlib.sha256(data).digest()
        name = digest.hex()
        target = os.path.join(self.root, name)
        if not os.path.isdir(target):
            os.makedirs(self.root, exist_ok=True)
            try:
                with zipfile.ZipFile(io.BytesIO(data)) as z:
                    if sum(i.file_size for i in z.infolist()) > MAX_UNZIPPED:
                        raise errors.invalid(f"Unzipped size must be smaller than {MAX_UNZIPPED} bytes")
                    tmp = target + ".tmp"
                    shutil.rmtree(tmp, ignore_errors=True)
                    z.extractall(tmp)  # strips absolute paths and "..": nothing lands outside tmp
                    with open(target + ".zip", "wb") as f:  # served as GetFunction's Code.Location
                        f.write(data)
                    for info in z.infolist():  # keep the executable bits the archive carries
                        mode = (info.external_attr >> 16) & 0o777
                        if mode:
                            os.chmod(os.path.join(tmp, info.filename), mode | 0o400)
                    os.replace(tmp, target)
            except (zipfile.BadZipFile, ValueError, OSError, EOFError):
                raise errors.bad_zip() from None
        return Code(base64.b64encode(digest).decode(), len(data), target)

    @staticmethod
    def hot_reload(directory: str) -> Code:
        if not os.path.isabs(directory) or not os.path.isdir(directory):
            raise errors.invalid(f"Hot reload needs an absolute path to an existing directory, got: {directory}")
        digest = hashlib.sha256(directory.encode()).digest()
        return Code(base64.b64encode(digest).decode(), 0, directory, hot_reload=True)
