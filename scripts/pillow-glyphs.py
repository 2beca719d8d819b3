#!/usr/bin/env python3
"""Renders the bundled font's glyphs with Pillow, as the Python captcha library draws them, into
captcha/data/droid-sans-mono-pillow.json.gz: for each font size and character, font.getsize (the
tile box), the ink box of the text drawn at (0, 0) (pen origin x, ascender line y) and its
coverage (mode L), base64. Run with Debian's python3-pil 9.4 (the Pillow that made the reference
images):
  /usr/bin/python3 scripts/pillow-glyphs.py node_modules/connect-fonts-droidsansmono/fonts/default/droidsansmono.ttf \
    | gzip -9 -n > captcha/data/droid-sans-mono-pillow.json.gz
"""
import base64, json, sys, warnings
warnings.simplefilter('ignore')
import PIL
from PIL import Image, ImageDraw, ImageFont

SIZES = (42, 46, 50, 56, 58, 68)  # styles 0.3/0.7 and 0.2
CHARS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz '

font_path = sys.argv[1]
glyphs = {}
for size in SIZES:
    font = ImageFont.truetype(font_path, size)
    for c in CHARS:
        w, h = font.getsize(c)
        im = Image.new('L', (w + 2 * size, h + 2 * size))
        ImageDraw.Draw(im).text((size, size), c, font=font, fill=255)
        box = im.getbbox()
        if box is None:
            glyphs[f'{size}:{c}'] = [w, h, 0, 0, 0, 0, '']
            continue
        x0, y0, x1, y1 = box
        ink = im.crop(box).tobytes()
        glyphs[f'{size}:{c}'] = [w, h, x0 - size, y0 - size, x1 - x0, y1 - y0, base64.b64encode(ink).decode('ascii')]
json.dump({'pillow': PIL.__version__, 'font': 'Droid Sans Mono 1.00 build 112', 'sizes': SIZES, 'glyphs': glyphs}, sys.stdout, separators=(',', ':'))
sys.stdout.write('\n')
