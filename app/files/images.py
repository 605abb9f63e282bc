"""What is done to an uploaded image before anyone sees it, with Pillow: turned
upright by its EXIF orientation and written again without its metadata (a
phone's photo carries where it was taken), measured, and given two previews.
A decompression bomb (more pixels than ``MAX_PIXELS``) is refused, not opened.

CPU-bound: callers run these in a thread."""

import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

# 40 megapixels: a 48 MP phone sensor's photo in its default 12 MP mode passes,
# a 10,000 × 10,000 image of one colour (a few KB as a PNG) does not.
MAX_PIXELS = 40_000_000
PREVIEW_SIZES = {"small": 320, "large": 1280}
AVATAR_SIZE = 256


class NotAnImage(ValueError):
    """The bytes do not decode as the image they claim to be."""


class ImageBomb(ValueError):
    """More pixels than Ruche will decode."""


@dataclass(frozen=True)
class Cleaned:
    width: int
    height: int
    # Whether the bytes were written again (then the caller stores the new ones).
    rewritten: bool


def _open(path: Path) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(path)
            if image.width * image.height > MAX_PIXELS:
                raise ImageBomb()
            image.load()
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as bomb:
        raise ImageBomb() from bomb
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as bad:
        if isinstance(bad, ImageBomb):
            raise
        raise NotAnImage() from bad
    return image


def clean(source: Path, target: Path) -> Cleaned:
    """Writes to ``target`` the image at ``source`` upright and without metadata
    (EXIF, XMP, comments; the colour profile is kept). An animated GIF is kept
    as it is: its frames are the point, and GIF holds no EXIF."""
    image = _open(source)
    if image.format == "GIF":
        return Cleaned(image.width, image.height, rewritten=False)
    upright = ImageOps.exif_transpose(image)
    options: dict = {}
    if icc := image.info.get("icc_profile"):
        options["icc_profile"] = icc
    if image.format == "JPEG":
        options.update(quality=92, optimize=True)
        upright = upright.convert("RGB") if upright.mode not in ("RGB", "L") else upright
    elif image.format == "WEBP":
        options.update(quality=90)
    upright.save(target, format=image.format, **options)
    return Cleaned(upright.width, upright.height, rewritten=True)


def previews(source: Path, targets: dict[str, Path]) -> None:
    """Writes the previews named in ``targets`` (small, large): WebP, the first
    frame of an animation, no larger than the original."""
    image = _open(source)
    image.seek(0)
    frame = image.convert("RGBA" if _has_alpha(image) else "RGB")
    for name, target in targets.items():
        preview = frame.copy()
        preview.thumbnail((PREVIEW_SIZES[name], PREVIEW_SIZES[name]))
        preview.save(target, format="WEBP", quality=80)


def avatar(source: Path, target: Path) -> None:
    """A square photo for an avatar: the centre of the image, resized."""
    image = _open(source)
    image.seek(0)
    square = ImageOps.fit(ImageOps.exif_transpose(image).convert("RGB"), (AVATAR_SIZE, AVATAR_SIZE))
    square.save(target, format="WEBP", quality=85)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info


def preview_dimensions(width: int, height: int, preview: str) -> tuple[int, int]:
    """The size of an image's preview, as ``previews`` makes it (the ratio kept,
    never enlarged): what a page gives its ``<img>`` so that nothing moves as
    previews load."""
    bound = PREVIEW_SIZES[preview]
    scale = min(1.0, bound / max(width, height, 1))
    return max(1, round(width * scale)), max(1, round(height * scale))
