import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createCaptchaGenerator } from '../../captcha/generator.ts';
import { DEFAULT_CHARSET } from '../../core/charset.ts';
import { createRng } from '../../core/rng.ts';
import { defaultMix, type MixEntry } from './data-mix.ts';
import { createGeneratedSource, focusedText, swapPair } from './sample-source.ts';

const fourDistinct: MixEntry = { weight: 1, style: '0.7', width: 160, height: 60, minLength: 4, maxLength: 4, distinct: true };
const anyLength: MixEntry = { ...fourDistinct, minLength: 1, maxLength: 8, distinct: false };

test('focusedText: one focus character at a random position, the entry length, distinct when the entry is', () => {
  const positions = new Set<number>();
  const focusSeen = new Set<string>();
  for (let i = 0; i < 400; i++) {
    const text = focusedText(createRng(5, i), fourDistinct, DEFAULT_CHARSET, '0O');
    assert.equal(text.length, 4, text);
    assert.equal(new Set(text).size, 4, `distinct: ${text}`);
    const at = [...text].findIndex((c) => c === '0' || c === 'O');
    assert.ok(at >= 0, text);
    positions.add(at);
    focusSeen.add(text[at]);
    for (const c of text) assert.ok(DEFAULT_CHARSET.includes(c), text);
  }
  assert.deepEqual([...positions].sort(), [0, 1, 2, 3]);
  assert.deepEqual([...focusSeen].sort(), ['0', 'O']);
  const lengths = new Set<number>();
  for (let i = 0; i < 400; i++) {
    const text = focusedText(createRng(6, i), anyLength, DEFAULT_CHARSET, 'Q');
    assert.ok(text.includes('Q'), text);
    lengths.add(text.length);
  }
  assert.deepEqual([...lengths].sort(), [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(focusedText(createRng(7, 1), fourDistinct, DEFAULT_CHARSET, '0O'), focusedText(createRng(7, 1), fourDistinct, DEFAULT_CHARSET, '0O'));
});

test('focusedText with a count: that many focus characters, distinct texts hold each once; count 1 draws as the first version did', () => {
  const fourToSix: MixEntry = { ...fourDistinct, minLength: 4, maxLength: 6 };
  const zeros = (t: string) => [...t].filter((c) => c === '0' || c === 'O').length;
  for (let i = 0; i < 200; i++) {
    const pair = focusedText(createRng(8, i), fourToSix, DEFAULT_CHARSET, '0O', 2);
    assert.ok(pair.includes('0') && pair.includes('O'), pair);
    assert.equal(new Set(pair).size, pair.length, `distinct: ${pair}`);
    // more than the focus set holds: still each once
    assert.equal(zeros(focusedText(createRng(9, i), fourDistinct, DEFAULT_CHARSET, '0O', 3)), 2);
    const three = focusedText(createRng(10, i), anyLength, DEFAULT_CHARSET, '0O', 3);
    assert.ok(zeros(three) >= Math.min(3, three.length), three);
  }
  // one character long: one focus character, whatever the count
  assert.match(focusedText(createRng(1, 1), { ...anyLength, maxLength: 1 }, DEFAULT_CHARSET, '0O', 2), /^[0O]$/);
  // pinned from the version before counts existed: a run resumed across the change stays bit-exact
  const e: MixEntry = { ...fourDistinct, maxLength: 6 };
  assert.deepEqual([0, 1, 2, 3, 4, 5].map((i) => focusedText(createRng(11, i), e, DEFAULT_CHARSET, '0O')), ['O0XHI', '0JGFR', 'JO9FRG', 'X8PO5', '03WY', 'DCF0']);
  assert.deepEqual([0, 1, 2, 3].map((i) => focusedText(createRng(12, i), anyLength, DEFAULT_CHARSET, '0O')), ['OC9', '03YQ', 'O', '0H']);
});

test('a focused source puts the focus characters into about the asked share of the images', async () => {
  const mix = defaultMix(8);
  const plain = createGeneratedSource(mix, 1, DEFAULT_CHARSET);
  const focused = createGeneratedSource(mix, 1, DEFAULT_CHARSET, undefined, { chars: '0O', probability: 0.5 });
  const n = 600;
  let plainHits = 0;
  let focusedHits = 0;
  for (let i = 0; i < n; i++) {
    if (/[0O]/.test((await plain.sample(i)).text)) plainHits++;
    if (/[0O]/.test((await focused.sample(i)).text)) focusedHits++;
  }
  // Natural share: about 4 x 2/36 = 22 %; focused: 0.5 + 0.5 x 22 % = 61 %.
  assert.ok(plainHits / n > 0.15 && plainHits / n < 0.3, `plain ${plainHits}/${n}`);
  assert.ok(focusedHits / n > 0.53 && focusedHits / n < 0.69, `focused ${focusedHits}/${n}`);
  const always = createGeneratedSource([fourDistinct], 2, DEFAULT_CHARSET, undefined, { chars: 'M', probability: 1 });
  for (let i = 0; i < 50; i++) assert.ok((await always.sample(i)).text.includes('M'));
  const pairs = createGeneratedSource([fourDistinct], 2, DEFAULT_CHARSET, undefined, { chars: '0O', probability: 1, count: 2 });
  for (let i = 0; i < 20; i++) assert.match((await pairs.sample(i)).text, /^(?=.*0)(?=.*O)/);
});

test('generate(index, text) draws the given text; the rest of the image still follows the index', () => {
  const gen = createCaptchaGenerator({ seed: 9 });
  const a = gen.generate(3, 'OO00');
  assert.equal(a.text, 'OO00');
  const again = createCaptchaGenerator({ seed: 9 }).generate(3, 'OO00');
  assert.deepEqual(again.image.data, a.image.data);
  assert.notDeepEqual(gen.generate(4, 'OO00').image.data, a.image.data);
  assert.throws(() => gen.generate(1, ''), /empty/);
});

test('twins: about the asked share of pairs are one CAPTCHA drawn twice with 0 and O swapped; the other pairs are the images without twins', async () => {
  assert.equal(swapPair('0AO0B', '0O'), 'OA0OB');
  assert.throws(() => createGeneratedSource([fourDistinct], 1, DEFAULT_CHARSET, undefined, undefined, { chars: '00', probability: 0.3 }), /two different characters/);
  const mix = defaultMix(8);
  const plain = createGeneratedSource(mix, 3, DEFAULT_CHARSET);
  const twins = createGeneratedSource(mix, 3, DEFAULT_CHARSET, undefined, undefined, { chars: '0O', probability: 0.4 });
  const pairs = 150;
  let twinPairs = 0;
  for (let j = 0; j < pairs; j++) {
    const [a, b] = [await twins.sample(2 * j), await twins.sample(2 * j + 1)];
    assert.equal(twins.twinOf!(2 * j), undefined);
    if (twins.twinOf!(2 * j + 1) === 2 * j) {
      twinPairs++;
      assert.match(a.text, /[0O]/);
      assert.equal(b.text, swapPair(a.text, '0O'));
      assert.equal(b.image.width, a.image.width);
      assert.equal(b.image.height, a.image.height);
      assert.notDeepEqual(b.image.data, a.image.data);
      // The same draws: most pixels agree (the glyphs that differ, and the kerning after them, do not).
      let same = 0;
      for (let i = 0; i < a.image.data.length; i++) if (a.image.data[i] === b.image.data[i]) same++;
      assert.ok(same / a.image.data.length > 0.5, `${a.text}/${b.text}: ${same} of ${a.image.data.length} bytes agree`);
    } else {
      assert.equal(twins.twinOf!(2 * j + 1), undefined);
      for (const i of [2 * j, 2 * j + 1]) {
        const [t, p] = [await twins.sample(i), await plain.sample(i)];
        assert.equal(t.text, p.text);
        assert.deepEqual(t.image.data, p.image.data);
      }
    }
  }
  assert.ok(twinPairs / pairs > 0.3 && twinPairs / pairs < 0.5, `${twinPairs} twin pairs of ${pairs}`);
});
