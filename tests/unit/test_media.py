"""Checking, cleaning and storing uploaded photos and videos (images are made in memory)."""

from __future__ import annotations

import io
import random
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms

from models.media import (
    MediaError,
    MediaLimits,
    MediaStore,
    ProcessedMedia,
    check_count,
    process_upload,
    read_limited,
    sniff,
)

RED, BLUE = (255, 0, 0), (0, 0, 255)


def make_image(
    fmt: str, size: tuple[int, int] = (40, 20), mode: str = "RGB", **save: object
) -> bytes:
    image = Image.new(mode, size, (0, 128, 0, 128) if mode == "RGBA" else (0, 128, 0))
    out = io.BytesIO()
    image.save(out, fmt, **save)
    return out.getvalue()


def make_noise_jpeg(size: tuple[int, int] = (200, 200)) -> bytes:
    # Noise does not compress, so the file is large enough to cut or to exceed a small limit.
    pixels = random.Random(1).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


def make_geotagged_rotated_jpeg() -> bytes:
    """40×20 as stored, left half red; Orientation 6 says "turn 90° clockwise to view"."""
    image = Image.new("RGB", (40, 20), BLUE)
    image.paste(RED, (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6
    exif[ExifTags.Base.Make] = "PhoneMaker"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (21.0, 1.0, 42.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (105.0, 51.0, 12.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>21,1.7N</exif:GPSLatitude>'
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, xmp=xmp + b"</x:xmpmeta>")
    return out.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def make_png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims this size, followed by pixel data that is not even valid."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", b"not zlib")
        + png_chunk(b"IEND", b"")
    )


def box(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", 8 + len(body)) + kind + body


def make_mp4(brand: bytes = b"isom", payload: bytes = b"\x00" * 64) -> bytes:
    ftyp = box(b"ftyp", brand + b"\x00\x00\x02\x00" + b"isomiso2mp41")
    return ftyp + box(b"mdat", payload)


def media_error(data: bytes, index: int = 0, limits: MediaLimits | None = None) -> MediaError:
    with pytest.raises(MediaError) as caught:
        process_upload(data, index, limits or MediaLimits())
    return caught.value


def test_jpeg_orientation_is_applied_and_output_size_is_upright() -> None:
    media = process_upload(make_geotagged_rotated_jpeg())
    image = Image.open(io.BytesIO(media.content))
    assert (media.width, media.height) == (20, 40) == image.size
    # Turned clockwise, the stored left half (red) is now the top half.
    top, bottom = image.getpixel((10, 5)), image.getpixel((10, 35))
    assert isinstance(top, tuple)
    assert top[0] > 200 > top[2]
    assert isinstance(bottom, tuple)
    assert bottom[2] > 200 > bottom[0]


def test_jpeg_exif_gps_and_xmp_are_stripped() -> None:
    original = make_geotagged_rotated_jpeg()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert b"GPS" in original
    media = process_upload(original)
    image = Image.open(io.BytesIO(media.content))
    assert (media.content_type, media.extension, image.format) == ("image/jpeg", "jpg", "JPEG")
    assert len(image.getexif()) == 0
    assert b"Exif" not in media.content
    assert b"GPS" not in media.content
    assert b"PhoneMaker" not in media.content
    assert "xmp" not in image.info


def test_icc_profile_is_not_kept() -> None:
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    media = process_upload(make_image("JPEG", icc_profile=srgb))
    assert "icc_profile" not in Image.open(io.BytesIO(media.content)).info


def test_png_with_alpha_stays_png_with_alpha() -> None:
    media = process_upload(make_image("PNG", mode="RGBA"))
    image = Image.open(io.BytesIO(media.content))
    assert (media.content_type, media.extension) == ("image/png", "png")
    assert image.mode == "RGBA"
    assert (media.width, media.height) == (40, 20)


def test_opaque_webp_is_accepted_and_becomes_jpeg() -> None:
    media = process_upload(make_image("WEBP"))
    assert (media.content_type, media.width, media.height) == ("image/jpeg", 40, 20)
    assert Image.open(io.BytesIO(media.content)).format == "JPEG"


def test_webp_with_alpha_becomes_png() -> None:
    media = process_upload(make_image("WEBP", mode="RGBA"))
    assert media.content_type == "image/png"


def test_png_content_is_detected_as_png_whatever_the_name_says(tmp_path: Path) -> None:
    disguised = tmp_path / "IMG_0001.jpg"
    disguised.write_bytes(make_image("PNG"))
    data = disguised.read_bytes()
    assert sniff(data[:32]) == "image/png"
    assert process_upload(data).content_type == "image/png"


def test_random_bytes_are_unsupported() -> None:
    error = media_error(random.Random(0).randbytes(1000), index=2)
    assert (error.code, error.index) == ("UNSUPPORTED_MEDIA_TYPE", 2)


def test_truncated_jpeg_is_corrupt() -> None:
    data = make_noise_jpeg()
    assert media_error(data[: len(data) // 2]).code == "CORRUPT_MEDIA"


def test_png_claiming_too_many_pixels_is_refused_without_decoding() -> None:
    # The pixel data is garbage: decoding it would give CORRUPT_MEDIA, not IMAGE_TOO_LARGE.
    global_limit = Image.MAX_IMAGE_PIXELS
    error = media_error(make_png_header(50_000, 50_000))
    assert error.code == "IMAGE_TOO_LARGE"
    assert global_limit == Image.MAX_IMAGE_PIXELS


def test_webp_canvas_over_the_pixel_limit_is_refused_before_opening() -> None:
    vp8x = b"VP8X" + struct.pack("<I", 10) + b"\x00" * 4
    canvas = (10_000 - 1).to_bytes(3, "little") + (5_000 - 1).to_bytes(3, "little")
    body = b"WEBP" + vp8x + canvas
    data = b"RIFF" + struct.pack("<I", len(body)) + body
    assert media_error(data).code == "IMAGE_TOO_LARGE"


def test_image_wider_than_max_side_is_refused() -> None:
    limits = MediaLimits(max_image_side=100)
    assert media_error(make_image("PNG", (101, 10)), limits=limits).code == "IMAGE_TOO_LARGE"


def test_large_image_is_downscaled_keeping_aspect() -> None:
    media = process_upload(make_image("JPEG", (200, 100)), limits=MediaLimits(max_output_side=64))
    assert (media.width, media.height) == (64, 32)
    assert Image.open(io.BytesIO(media.content)).size == (64, 32)


def test_photo_over_the_byte_limit_is_too_large() -> None:
    error = media_error(make_noise_jpeg(), index=3, limits=MediaLimits(max_photo_bytes=1000))
    assert (error.code, error.index) == ("FILE_TOO_LARGE", 3)


def test_six_files_are_too_many() -> None:
    check_count(5)
    with pytest.raises(MediaError) as caught:
        check_count(6)
    assert caught.value.code == "TOO_MANY_FILES"


def test_minimal_mp4_is_stored_as_is() -> None:
    data = make_mp4()
    assert sniff(data) == "video/mp4"
    media = process_upload(data)
    assert media == ProcessedMedia(data, "video/mp4", "mp4", None, None)


def test_truncated_mp4_is_corrupt() -> None:
    assert media_error(make_mp4()[:-10]).code == "CORRUPT_MEDIA"


def test_video_over_the_byte_limit_is_too_large() -> None:
    limits = MediaLimits(max_video_bytes=50)
    assert media_error(make_mp4(), limits=limits).code == "FILE_TOO_LARGE"


def test_heic_is_refused_with_a_message_naming_heic() -> None:
    data = make_mp4(brand=b"heic")
    assert sniff(data) == "image/heic"
    error = media_error(data)
    assert error.code == "UNSUPPORTED_MEDIA_TYPE"
    assert "HEIC" in error.message


def test_store_saves_exact_bytes_under_sharded_directories(tmp_path: Path) -> None:
    media = process_upload(make_image("PNG"))
    stored = MediaStore(tmp_path).save(media)
    assert re.fullmatch(r"[0-9a-f]{32}", stored.id)
    assert stored.storage_name == f"{stored.id[:2]}/{stored.id[2:4]}/{stored.id}.png"
    assert (tmp_path / stored.storage_name).read_bytes() == media.content
    assert stored.byte_size == len(media.content)


def test_store_leaves_no_temporary_file(tmp_path: Path) -> None:
    stored = MediaStore(tmp_path).save(ProcessedMedia(make_mp4(), "video/mp4", "mp4", None, None))
    files = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert files == [tmp_path / stored.storage_name]


def test_open_path_returns_the_stored_file(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    stored = store.save(ProcessedMedia(b"x", "video/mp4", "mp4", None, None))
    assert store.open_path(stored.storage_name).read_bytes() == b"x"


@pytest.mark.parametrize(
    "name",
    [
        "../etc/passwd",
        "/etc/passwd",
        "ab/cd/../../../etc/passwd",
        "ab/cd/abcd0000000000000000000000000000.jpg/../../x",
        "ab/cd/ffff0000000000000000000000000000.jpg",  # shards do not match the id
    ],
)
def test_open_path_refuses_names_outside_the_store(tmp_path: Path, name: str) -> None:
    with pytest.raises(MediaError) as caught:
        MediaStore(tmp_path / "media").open_path(name)
    assert caught.value.code == "NOT_FOUND"


def test_delete_removes_the_file_and_accepts_a_missing_one(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    stored = store.save(ProcessedMedia(b"x", "image/png", "png", 1, 1))
    store.delete(stored.storage_name)
    store.delete(stored.storage_name)
    assert not (tmp_path / stored.storage_name).exists()


def test_read_limited_stops_reading_at_the_limit() -> None:
    consumed: list[bytes] = []

    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            consumed.append(b"x" * 10)
            yield consumed[-1]

    with pytest.raises(MediaError) as caught:
        read_limited(chunks(), max_bytes=25, index=1)
    assert (caught.value.code, caught.value.index) == ("FILE_TOO_LARGE", 1)
    assert len(consumed) == 3


def test_read_limited_returns_an_upload_of_exactly_the_limit() -> None:
    assert read_limited([b"ab", b"cd"], max_bytes=4, index=0) == b"abcd"
