#!/usr/bin/env python3
"""An ImageFolder unlike Fashion-MNIST and MNIST (issue 25): colour pictures of eight symbols
(star, heart, diamond, club, spade, umbrella, aeroplane, telephone) drawn from Debian's
DejaVu fonts (fonts-dejavu-core/-extra: Sans, Serif, Bold, Oblique, Condensed faces), scaled,
rotated, tinted and textured with a photo crop, pasted on crops of other real photos
(scikit-image's data and opencv-doc's sample pictures, mirrored and colour-shifted).
The test pictures use photos that no training picture uses, as backgrounds and as textures.

Writes OUT/train/<class>/*.png and OUT/test/<class>/*.png (48 × 48 RGB by default):

    /usr/bin/python3 scripts/own-data/glyph-shapes.py OUT [--train 1600] [--test 480] [--size 48] [--seed 0]
"""
import argparse
import glob
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

CLASSES = {"star": "★", "heart": "♥", "diamond": "♦", "club": "♣", "spade": "♠", "umbrella": "☂", "aeroplane": "✈", "telephone": "☎"}
FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FACES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansCondensed.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"]


def photos():
    """Real photos of two Debian packages, sorted so the split is the same on every machine."""
    import skimage.data  # noqa: PLC0415 (only its folder of pictures)

    sk = os.path.dirname(skimage.data.__file__)
    names = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png", "motorcycle_right.png",
             "hubble_deep_field.jpg", "retina.jpg", "gravel.png", "brick.png", "grass.png", "ihc.png", "color.png"]
    files = [os.path.join(sk, n) for n in names if os.path.exists(os.path.join(sk, n))]
    cv = "/usr/share/doc/opencv-doc/examples/data"
    for n in ["baboon.jpg", "fruits.jpg", "building.jpg", "butterfly.jpg", "home.jpg", "messi5.jpg", "orange.jpg", "apple.jpg",
              "aero1.jpg", "board.jpg", "lena.jpg", "HappyFish.jpg", "starry_night.jpg", "smarties.png", "graf1.png", "leuvenA.jpg"]:
        if os.path.exists(os.path.join(cv, n)):
            files.append(os.path.join(cv, n))
    out = []
    for f in sorted(files):
        im = Image.open(f).convert("RGB")
        s = 160 / min(im.size)
        out.append(np.asarray(im.resize((max(160, round(im.width * s)), max(160, round(im.height * s))), Image.BILINEAR)))
    return out


def crop(photo, r, side):
    y = r.randrange(photo.shape[0] - side + 1)
    x = r.randrange(photo.shape[1] - side + 1)
    return photo[y : y + side, x : x + side].astype(np.float32)


def has_glyph(face, glyph):
    """Does the font draw the glyph itself (not its box for a missing character)?"""
    font = ImageFont.truetype(face, 48)
    draw = lambda ch: np.asarray(font.getmask(ch))  # noqa: E731
    missing = draw("\ue000")
    shown = draw(glyph)
    return shown.size > 0 and (shown.shape != missing.shape or not np.array_equal(shown, missing))


def picture(glyph, bgs, texs, r, size, fonts):
    back = crop(bgs[r.randrange(len(bgs))], r, size)
    if r.random() < 0.5:
        back = back[:, ::-1]
    back = back[:, :, r.sample(range(3), 3)] * np.array([0.6 + 0.5 * r.random() for _ in range(3)])
    # The glyph as an alpha mask, rendered large, then rotated and shrunk to its final size.
    big = 3 * size
    font = ImageFont.truetype(fonts[r.randrange(len(fonts))], int(big * 0.8))
    mask = Image.new("L", (big, big), 0)
    d = ImageDraw.Draw(mask)
    x0, y0, x1, y1 = d.textbbox((0, 0), glyph, font=font)
    d.text(((big - (x1 - x0)) / 2 - x0, (big - (y1 - y0)) / 2 - y0), glyph, font=font, fill=255)
    mask = mask.rotate(r.uniform(-40, 40), resample=Image.BILINEAR)
    side = round(size * r.uniform(0.55, 0.95))
    mask = np.asarray(mask.resize((side, side), Image.BILINEAR), np.float32) / 255
    a = np.zeros((size, size), np.float32)
    oy, ox = r.randrange(size - side + 1), r.randrange(size - side + 1)
    a[oy : oy + side, ox : ox + side] = mask
    tint = np.array([40 + 215 * r.random() for _ in range(3)], np.float32)
    fill = 0.45 * crop(texs[r.randrange(len(texs))], r, size) + 0.55 * tint
    img = back * (1 - a[:, :, None]) + fill * a[:, :, None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--train", type=int, default=1600)
    p.add_argument("--test", type=int, default=480)
    p.add_argument("--size", type=int, default=48)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    ph = photos()
    # Every third photo is a test photo: backgrounds and textures of the test pictures are unseen.
    split = {"train": [x for i, x in enumerate(ph) if i % 3 != 2], "test": [x for i, x in enumerate(ph) if i % 3 == 2]}
    fonts = [os.path.join(FONT_DIR, f) for f in FACES if os.path.exists(os.path.join(FONT_DIR, f))]
    if not fonts:
        fonts = sorted(glob.glob(os.path.join(FONT_DIR, "*.ttf")))
    # Only the faces that draw the symbol (DejaVu Serif has no aeroplane, for one).
    faces = {c: [f for f in fonts if has_glyph(f, g)] for c, g in CLASSES.items()}
    for c, f in faces.items():
        if not f:
            raise SystemExit(f"glyph-shapes: no DejaVu face draws {c} ({CLASSES[c]}); install fonts-dejavu-core")
    r = random.Random(a.seed)
    names = list(CLASSES)
    for part, n in [("train", a.train), ("test", a.test)]:
        for c in names:
            os.makedirs(os.path.join(a.out, part, c), exist_ok=True)
        for i in range(n):
            c = names[i % len(names)]
            picture(CLASSES[c], split[part], split[part], r, a.size, faces[c]).save(os.path.join(a.out, part, c, f"{i:05d}.png"))
    print(f"{a.train} training and {a.test} test pictures of {len(names)} symbols, {a.size} px, in {a.out} "
          f"({len(split['train'])} training and {len(split['test'])} test photos, {len(fonts)} font faces)")


if __name__ == "__main__":
    main()
