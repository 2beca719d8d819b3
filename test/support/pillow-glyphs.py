# Pillow's own measurements of glyphs, for test/generator-pillow.test.ts: for each size and
# character, font.getsize (the box the Python captcha library sizes its tiles by) and the ink box
# of the text drawn at (0, 0). Usage: python3 pillow-glyphs.py FONT SIZES(comma) CHARS
import json, sys, warnings
warnings.simplefilter('ignore')
from PIL import ImageFont, Image, ImageDraw
f, sizes, chars = sys.argv[1], [int(s) for s in sys.argv[2].split(',')], sys.argv[3]
out = {}
for s in sizes:
    font = ImageFont.truetype(f, s)
    for c in chars:
        w, h = font.getsize(c)
        im = Image.new('L', (w + 20, h + 20)); ImageDraw.Draw(im).text((0, 0), c, font=font, fill=255)
        out[f'{s}:{c}'] = [w, h, *im.getbbox()]
print(json.dumps(out))
