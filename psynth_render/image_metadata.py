"""Drop render metadata from written images, so a re-render gives the same bytes.

Blender's stamp fields are turned off (`renderer._no_file_metadata`), but Cycles still adds its
own statistics (`cycles.ViewLayer.render_time`, `total_time`, ...) as PNG text chunks and EXR
header attributes. Both are removed without re-encoding: PNG text and time chunks are
ancillary; an EXR attribute is dropped from the header and the scanline offset table (absolute
file positions) is shifted by the bytes removed.
"""

import struct
from pathlib import Path

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_DROPPED = {b"tEXt", b"zTXt", b"iTXt", b"tIME"}


def png_without_text(data: bytes) -> bytes:
    """The PNG `data` with its text and time chunks removed (other chunks byte for byte)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    out, pos = [PNG_SIGNATURE], len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(data):
            raise ValueError("truncated PNG chunk")
        if kind not in _DROPPED:
            out.append(data[pos:end])
        pos = end
        if kind == b"IEND":
            break
    return b"".join(out)


EXR_MAGIC = b"\x76\x2f\x31\x01"
_EXR_TILED, _EXR_MULTIPART, _EXR_DEEP = 0x200, 0x1000, 0x800
# scanlines per chunk by compression code: none, rle, zips, zip, piz, pxr24, b44, b44a, dwaa, dwab
_EXR_LINES = {0: 1, 1: 1, 2: 1, 3: 16, 4: 32, 5: 16, 6: 32, 7: 32, 8: 32, 9: 256}


def _is_render_stat(name: bytes) -> bool:
    return name.startswith(b"cycles.")


def exr_without_render_stats(data: bytes) -> bytes:
    """A single-part scanline EXR without its `cycles.*` header attributes (others unchanged)."""
    if not data.startswith(EXR_MAGIC):
        raise ValueError("not an EXR file")
    (flags,) = struct.unpack("<I", data[4:8])
    if flags & (_EXR_TILED | _EXR_MULTIPART | _EXR_DEEP):
        return data  # Blender writes none of these for the image; leave them as they are
    pos, kept, removed = 8, [], 0
    compression = window = None
    while data[pos] != 0:
        name_end = data.index(b"\x00", pos)
        type_end = data.index(b"\x00", name_end + 1)
        (size,) = struct.unpack("<i", data[type_end + 1 : type_end + 5])
        end = type_end + 5 + size
        name = data[pos:name_end]
        value = data[type_end + 5 : end]
        if name == b"compression":
            compression = value[0]
        elif name == b"dataWindow":
            window = struct.unpack("<iiii", value)
        if _is_render_stat(name):
            removed += end - pos
        else:
            kept.append(data[pos:end])
        pos = end
    if not removed:
        return data
    if compression not in _EXR_LINES or window is None:
        raise ValueError("EXR header without a known compression or a data window")
    header_end = pos + 1
    chunks = -(-(window[3] - window[1] + 1) // _EXR_LINES[compression])
    offsets = struct.unpack(f"<{chunks}Q", data[header_end : header_end + 8 * chunks])
    shifted = struct.pack(f"<{chunks}Q", *(o - removed for o in offsets))
    return data[:8] + b"".join(kept) + b"\x00" + shifted + data[header_end + 8 * chunks :]


def strip_render_metadata(path: str | Path) -> None:
    """Rewrite a PNG or EXR file without render metadata (other files are left alone)."""
    path = Path(path)
    data = path.read_bytes()
    if data.startswith(PNG_SIGNATURE):
        cleaned = png_without_text(data)
    elif data.startswith(EXR_MAGIC):
        cleaned = exr_without_render_stats(data)
    else:
        return
    if cleaned != data:
        path.write_bytes(cleaned)


def png_text_chunks(data: bytes) -> list[bytes]:
    """Keywords of the text chunks of a PNG (for tests and checks)."""
    keys, pos = [], len(PNG_SIGNATURE)
    while pos + 8 <= len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        if kind in (b"tEXt", b"zTXt", b"iTXt"):
            keys.append(data[pos + 8 : pos + 8 + length].split(b"\x00", 1)[0])
        pos += 12 + length
    return keys


