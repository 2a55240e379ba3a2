"""Uploaded photos and videos: typed by content, limited, stripped of metadata, stored safely."""

from __future__ import annotations

import contextlib
import io
import os
import re
import struct
import tempfile
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageCms, ImageFile, ImageOps
from PIL.JpegImagePlugin import JpegImageFile
from PIL.PngImagePlugin import PngImageFile
from PIL.WebPImagePlugin import WebPImageFile

from models.errors import DomainError, UserErrorCode

_MIB = 1024 * 1024
MAX_PHOTO_BYTES = 10 * _MIB
MAX_VIDEO_BYTES = 50 * _MIB
MAX_FILES = 5
MAX_IMAGE_PIXELS = 40_000_000
MAX_IMAGE_SIDE = 12_000
MAX_OUTPUT_SIDE = 4096
JPEG_QUALITY = 85

MP4_BRANDS = frozenset({b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"dash", b"mmp4"})
# HEIF is what iPhones shoot by default; `mif1`/`msf1` are the generic HEIF image brands.
HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
)
# An ftyp box holds at least a major brand and a minor version (16 bytes); a real one lists a
# few compatible brands, so anything longer than 256 bytes is not a file we want to trust.
_FTYP_MIN, _FTYP_MAX = 16, 256
# Real MP4s have a handful of top-level boxes (a few hundred when fragmented); the cap keeps
# the structure walk cheap on a crafted file made of millions of empty boxes.
_MAX_MP4_BOXES = 10_000
SNIFF_BYTES = 32

# Pillow's ways of saying "this is not a valid image" while parsing or decoding.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError, struct.error)
# Chosen from our own sniff, so Pillow never guesses another of its ~40 formats for us.
_OPENERS: dict[str, type[ImageFile.ImageFile]] = {
    "image/jpeg": JpegImageFile,
    "image/png": PngImageFile,
    "image/webp": WebPImageFile,
}
_STORAGE_NAME = re.compile(r"([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{32})\.[a-z0-9]{1,5}")


class MediaError(DomainError):
    """An upload or a stored name refused; `index` is the file's position in the request."""

    def __init__(self, code: UserErrorCode, message: str, index: int | None = None) -> None:
        super().__init__(code, message)
        self.index = index


@dataclass(frozen=True)
class MediaLimits:
    """What one request may upload; the defaults are the module constants."""

    max_photo_bytes: int = MAX_PHOTO_BYTES
    max_video_bytes: int = MAX_VIDEO_BYTES
    max_files: int = MAX_FILES
    max_image_pixels: int = MAX_IMAGE_PIXELS
    max_image_side: int = MAX_IMAGE_SIDE
    max_output_side: int = MAX_OUTPUT_SIDE

    @property
    def max_file_bytes(self) -> int:
        """The cap for `read_limited` while the type of the file is not known yet."""
        return max(self.max_photo_bytes, self.max_video_bytes)


DEFAULT_LIMITS = MediaLimits()


@dataclass(frozen=True)
class ProcessedMedia:
    """A file ready to store: re-encoded photo or unchanged video, with its output size."""

    content: bytes
    content_type: str
    extension: str
    width: int | None
    height: int | None


@dataclass(frozen=True)
class StoredMedia:
    """Where `MediaStore.save` put a file; `id` is the random attachment id (32 hex digits)."""

    id: str
    storage_name: str
    byte_size: int


def sniff(head: bytes) -> str | None:
    """The media type the first bytes (`SNIFF_BYTES` suffice) announce, or None if unsupported."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and _FTYP_MIN <= int.from_bytes(head[:4], "big") <= _FTYP_MAX:
        brand = head[8:12]
        if brand in MP4_BRANDS:
            return "video/mp4"
        if brand in HEIF_BRANDS:
            return "image/heic"
    return None


def check_count(n: int, limits: MediaLimits = DEFAULT_LIMITS) -> None:
    """Refuse a request carrying more files than allowed, before reading any of them."""
    if n > limits.max_files:
        raise MediaError(
            UserErrorCode.TOO_MANY_FILES,
            f"At most {limits.max_files} files per report or message; {n} were sent.",
            limits.max_files,
        )


def read_limited(chunks: Iterable[bytes], max_bytes: int, index: int) -> bytes:
    """Join an upload's chunks, refusing it as soon as it would exceed `max_bytes`."""
    buffer = bytearray()
    for chunk in chunks:
        if len(buffer) + len(chunk) > max_bytes:
            raise _too_large(index, max_bytes)
        buffer += chunk
    return bytes(buffer)


def process_upload(
    data: bytes, index: int = 0, limits: MediaLimits = DEFAULT_LIMITS
) -> ProcessedMedia:
    """Check one uploaded file and make it safe to publish.

    The type comes from the content only. Photos are decoded, turned upright from their EXIF
    orientation, converted to sRGB, downscaled to `max_output_side` and re-encoded without
    any metadata (EXIF with GPS, XMP, ICC, comments): PNG inputs and anything with
    transparency become PNG, every other photo (JPEG, opaque WebP) a progressive JPEG, the
    formats every browser and office tool shows. Only the first frame of an animation is kept.

    Known limitation: videos are stored byte for byte, because re-encoding needs ffmpeg; only
    their top-level box structure is checked, so MP4 metadata (e.g. GPS in `udta`/`meta`
    boxes) is NOT stripped yet.

    CPU-bound (a large photo takes a noticeable fraction of a second): async callers run it in
    a worker thread, `await asyncio.to_thread(process_upload, data, index)`. It changes no
    global state, so several uploads may be processed in parallel threads.
    """
    kind = sniff(data[:SNIFF_BYTES])
    if kind == "image/heic":
        raise MediaError(
            UserErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"File {index + 1} is a HEIC/HEIF photo, which is not supported yet: send JPEG "
            "(on iPhone: Settings › Camera › Formats › Most Compatible).",
            index,
        )
    if kind is None:
        raise MediaError(
            UserErrorCode.UNSUPPORTED_MEDIA_TYPE,
            f"File {index + 1} is not a JPEG, PNG or WebP photo nor an MP4 video.",
            index,
        )
    if kind == "video/mp4":
        if len(data) > limits.max_video_bytes:
            raise _too_large(index, limits.max_video_bytes)
        _check_mp4_boxes(data, index)
        return ProcessedMedia(data, "video/mp4", "mp4", None, None)
    if len(data) > limits.max_photo_bytes:
        raise _too_large(index, limits.max_photo_bytes)
    return _process_photo(data, kind, index, limits)


def _process_photo(data: bytes, kind: str, index: int, limits: MediaLimits) -> ProcessedMedia:
    if kind == "image/webp":
        # Pillow's WebP reader allocates the whole canvas while opening: check the header first.
        size = _webp_canvas_size(data)
        if size is None:
            raise _corrupt(index)
        _check_pixels(size, index, limits)
    try:
        # Not Image.open(): its bomb check reads the process-wide Image.MAX_IMAGE_PIXELS and
        # warns below it, and changing that global per call would race between threads. The
        # plugin reads the header only, so the size is checked here before any pixel is decoded.
        image: Image.Image = _OPENERS[kind](io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(index, limits) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt(index) from exc
    _check_pixels(image.size, index, limits)
    try:
        image.load()
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels(index, limits) from exc
    except _DECODE_ERRORS as exc:
        raise _corrupt(index) from exc

    with contextlib.suppress(*_DECODE_ERRORS):
        # A broken EXIF block must not cost the citizen the photo: keep it as stored then.
        ImageOps.exif_transpose(image, in_place=True)
    alpha = image.has_transparency_data
    as_png = kind == "image/png" or alpha
    image = _to_srgb(image, alpha)
    image = _to_output_mode(image, as_png, alpha)
    if max(image.size) > limits.max_output_side:
        image.thumbnail((limits.max_output_side, limits.max_output_side), Image.Resampling.LANCZOS)
    # Encoders copy some metadata from `info` (PNG: ICC, JPEG: comment): leave them nothing.
    image.info = {}
    out = io.BytesIO()
    if as_png:
        image.save(out, "PNG")
        content_type, extension = "image/png", "png"
    else:
        image.save(out, "JPEG", quality=JPEG_QUALITY, progressive=True)
        content_type, extension = "image/jpeg", "jpg"
    return ProcessedMedia(out.getvalue(), content_type, extension, image.width, image.height)


def _to_srgb(image: Image.Image, alpha: bool) -> Image.Image:
    # The ICC profile is dropped with the other metadata; converting first keeps the colours
    # of wide-gamut phone photos (Display P3) instead of showing them washed out.
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(
            image,
            ImageCms.ImageCmsProfile(io.BytesIO(icc)),
            ImageCms.createProfile("sRGB"),
            outputMode="RGBA" if alpha else "RGB",
        )
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # an unusable profile: the pixels are still fine without it
    return converted if converted is not None else image


def _to_output_mode(image: Image.Image, as_png: bool, alpha: bool) -> Image.Image:
    if image.mode.startswith("I"):
        # 16-bit grey: a plain convert() clips everything above 255 to white.
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    # Palette and 1-bit images become L/RGB(A) too, so that downscaling can interpolate.
    grey = "L" if image.mode in ("1", "L") else "RGB"
    wanted = "RGBA" if as_png and alpha else grey
    return image if image.mode == wanted else image.convert(wanted)


def _webp_canvas_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8X" and len(data) >= 30:
        width = 1 + int.from_bytes(data[24:27], "little")
        height = 1 + int.from_bytes(data[27:30], "little")
        return width, height
    if chunk == b"VP8 " and len(data) >= 30:
        width = int.from_bytes(data[26:28], "little") & 0x3FFF
        height = int.from_bytes(data[28:30], "little") & 0x3FFF
        return width, height
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    return None


def _check_pixels(size: tuple[int, int], index: int, limits: MediaLimits) -> None:
    width, height = size
    if width <= 0 or height <= 0:
        raise _corrupt(index)
    if width * height > limits.max_image_pixels or max(width, height) > limits.max_image_side:
        raise _too_many_pixels(index, limits)


def _check_mp4_boxes(data: bytes, index: int) -> None:
    # Walks the top-level boxes only: a truncated upload or a non-MP4 with a forged ftyp fails
    # here, while everything inside the boxes is left to the player.
    offset, count = 0, 0
    while offset < len(data):
        count += 1
        if count > _MAX_MP4_BOXES or len(data) - offset < 8:
            raise _corrupt(index)
        size = int.from_bytes(data[offset : offset + 4], "big")
        box_type = data[offset + 4 : offset + 8]
        header = 8
        if size == 1:  # a 64-bit size follows the type
            header = 16
            size = int.from_bytes(data[offset + 8 : offset + 16], "big")
        elif size == 0:  # the box runs to the end of the file
            size = len(data) - offset
        if size < header or offset + size > len(data):
            raise _corrupt(index)
        if not all(0x20 <= byte < 0x7F for byte in box_type):
            raise _corrupt(index)
        offset += size


def _too_large(index: int, max_bytes: int) -> MediaError:
    limit = f"{max_bytes // _MIB} MiB" if max_bytes % _MIB == 0 else f"{max_bytes} bytes"
    return MediaError(
        UserErrorCode.FILE_TOO_LARGE, f"File {index + 1} is larger than {limit}.", index
    )


def _too_many_pixels(index: int, limits: MediaLimits) -> MediaError:
    return MediaError(
        UserErrorCode.IMAGE_TOO_LARGE,
        f"Photo {index + 1} is too large: at most {limits.max_image_pixels // 1_000_000} "
        f"megapixels and {limits.max_image_side} pixels on a side.",
        index,
    )


def _corrupt(index: int) -> MediaError:
    return MediaError(
        UserErrorCode.CORRUPT_MEDIA, f"File {index + 1} is damaged or incomplete.", index
    )


class MediaStore:
    """Files under `root`, named `ab/cd/<id>.<ext>` from a random id, never by the client."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()

    def save(self, media: ProcessedMedia) -> StoredMedia:
        """Write the file atomically: it appears under its final name complete or not at all."""
        if not re.fullmatch(r"[a-z0-9]{1,5}", media.extension):
            raise ValueError(f"unsafe file extension {media.extension!r}")
        media_id = uuid.uuid4().hex
        storage_name = f"{media_id[:2]}/{media_id[2:4]}/{media_id}.{media.extension}"
        final = self.root / storage_name
        final.parent.mkdir(parents=True, exist_ok=True)
        # Same directory, so os.replace is a rename within one file system (atomic).
        fd, temp_name = tempfile.mkstemp(dir=final.parent, prefix=".", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(media.content)
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_name, final)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)
            raise
        _fsync_directory(final.parent)
        return StoredMedia(id=media_id, storage_name=storage_name, byte_size=len(media.content))

    def open_path(self, storage_name: str) -> Path:
        """The stored file's path; NOT_FOUND for a missing file or a name `save` cannot make."""
        path = self._path(storage_name)
        if not path.is_file():
            raise _not_found()
        return path

    def delete(self, storage_name: str) -> None:
        """Remove a stored file; one that is already gone is fine."""
        self._path(storage_name).unlink(missing_ok=True)

    def _path(self, storage_name: str) -> Path:
        # The strict shape already excludes `..` and absolute names; resolving as well catches
        # a symlink planted inside the tree.
        match = _STORAGE_NAME.fullmatch(storage_name)
        if match is None or not match[3].startswith(match[1] + match[2]):
            raise _not_found()
        path = (self.root / storage_name).resolve()
        if not path.is_relative_to(self.root):
            raise _not_found()
        return path


def _not_found() -> MediaError:
    return MediaError(UserErrorCode.NOT_FOUND, "No such file.")


def _fsync_directory(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk, and the attachment row
    # that points at the file is committed right after.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
