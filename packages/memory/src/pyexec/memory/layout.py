"""The byte layouts of the heap: block headers, size classes and objects.

These constants are the specification that compiled code (native and wasm32) follows byte for byte;
``docs/memory.md`` draws them. All multi-byte fields are little-endian. A pointer is the offset of a
block's first data byte; the 8-byte header sits just before it, at ``ptr - 8``.

Example:
    >>> from pyexec.memory.layout import ARRAY_DATA_OFFSET, size_class_of
    >>> ARRAY_DATA_OFFSET, size_class_of(64), size_class_of(65)
    (8, 64, 128)
"""

from __future__ import annotations

ALIGNMENT = 8
"""Every header, pointer and block size is a multiple of this."""

# --- the block header (8 bytes, at ptr - 8) ----------------------------------------------
HEADER_SIZE = 8
HEADER_REFCOUNT_OFFSET = -8  # int32
HEADER_TAG_OFFSET = -4  # uint8
HEADER_FLAGS_OFFSET = -3  # uint8
HEADER_SIZE_OFFSET = -2  # uint16: the data size of a small block, LARGE_SIZE_MARKER for a large one

LARGE_SIZE_MARKER = 0xFFFF
"""The header's size field of a large block; its real size is the int64 at ``ptr - 16``."""
LARGE_PREFIX_SIZE = 8
LARGE_SIZE_OFFSET = -16  # int64, large blocks only

# --- type tags (header byte 4) ------------------------------------------------------------
TAG_RAW = 0x00
"""Memory from ``alloc``: refcount starts at 0."""
TAG_ARRAY = 0x01
TAG_STRING = 0x02
TAG_LIST = 0x03
TAG_DICT = 0x04
TAG_STORAGE = 0x05
"""The element buffer of a list or the table of a dict: owned by that object, freed with it."""
TAG_FREED = 0xFE
"""Written into the header of a block when it is freed (how a double free is told apart)."""

TAG_NAMES = {
    TAG_RAW: "raw block",
    TAG_ARRAY: "array",
    TAG_STRING: "string",
    TAG_LIST: "list",
    TAG_DICT: "dict",
    TAG_STORAGE: "list/dict storage",
}

# --- flags (header byte 5) ----------------------------------------------------------------
FLAG_LARGE = 0x01
"""The block lives in the large region and has the 8-byte size prefix."""
FLAG_ASCII = 0x02
"""A string block (tag 0x02) whose bytes are all below 0x80: a byte index is a code point index. Compiled
code sets it on the strings it makes and reads it to index, slice and measure ASCII text in O(1); a string
without it is still valid (its operations walk the UTF-8 bytes)."""

# --- size classes -------------------------------------------------------------------------
SIZE_CLASSES = (16, 32, 64, 128, 256, 512, 1024, 2048)
"""Data sizes of the slab classes; a small block's slot is ``HEADER_SIZE + class`` bytes."""
SMALL_MAX = SIZE_CLASSES[-1]
SLAB_TARGET_BYTES = 16 * 1024
"""A new slab holds about this many bytes of slots (fewer when the heap is short of space)."""

# --- objects (offsets from the pointer) ---------------------------------------------------
STRING_LENGTH_OFFSET = 0  # int32: number of UTF-8 bytes
STRING_DATA_OFFSET = 4  # UTF-8 bytes, then one NUL byte

ARRAY_LENGTH_OFFSET = 0  # int32
ARRAY_CAPACITY_OFFSET = 4  # int32
ARRAY_DATA_OFFSET = 8  # elements, packed, 8-byte aligned

LIST_LENGTH_OFFSET = 0  # int32
LIST_CAPACITY_OFFSET = 4  # int32
LIST_ELEM_SIZE_OFFSET = 8  # int32: 1, 2, 4 or 8
LIST_ITEMS_OFFSET = 16  # int64: pointer to a TAG_STORAGE block of capacity * elem_size bytes (0 if none)
LIST_OBJECT_SIZE = 24

DICT_SIZE_OFFSET = 0  # int32: live entries
DICT_CAPACITY_OFFSET = 4  # int32: slots, a power of two
DICT_FILLED_OFFSET = 8  # int32: live entries + tombstones
DICT_TABLE_OFFSET = 16  # int64: pointer to a TAG_STORAGE block (the table)
DICT_OBJECT_SIZE = 24
DICT_BUCKET_SIZE = 16  # key int64 at +0, value int64 at +8; control bytes follow the buckets
DICT_SLOT_EMPTY = 0
DICT_SLOT_FULL = 1
DICT_SLOT_DELETED = 2
DICT_MIN_CAPACITY = 8


def align_up(value: int, alignment: int = ALIGNMENT) -> int:
    """Round ``value`` up to a multiple of ``alignment`` (a power of two).

    Example:
        >>> align_up(13)
        16
    """
    return (value + alignment - 1) & -alignment


def size_class_of(size: int) -> int:
    """The slab class (data bytes) that holds a block of ``size`` bytes, or 0 if it is a large block.

    Example:
        >>> size_class_of(0), size_class_of(2048), size_class_of(2049)
        (16, 2048, 0)
    """
    for cls in SIZE_CLASSES:
        if size <= cls:
            return cls
    return 0


def block_footprint(size: int) -> int:
    """Bytes of the heap that a live block of ``size`` data bytes occupies (what ``get_usage`` counts).

    Example:
        >>> block_footprint(64), block_footprint(3000)
        (72, 3016)
    """
    cls = size_class_of(size)
    if cls:
        return HEADER_SIZE + cls
    return LARGE_PREFIX_SIZE + HEADER_SIZE + align_up(size)


def dict_table_size(capacity: int) -> int:
    """Data bytes of a dict table with ``capacity`` slots: the buckets, then one control byte per slot.

    Example:
        >>> dict_table_size(16)
        272
    """
    return align_up(capacity * DICT_BUCKET_SIZE + capacity)
