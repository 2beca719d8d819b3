import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLabelResolver, isClutter, labelFileKind, labelFromFileName, parseLabelsCsv, parseLabelsTxt } from './labels.ts';

test('labels from file names', () => {
  assert.equal(labelFromFileName('AKNC.png'), 'AKNC');
  assert.equal(labelFromFileName('dir/AKNC_17.jpg'), 'AKNC');
  assert.equal(labelFromFileName('x/_17.png'), undefined);
});

test('labels.txt: line i is image i.*, in the same folder', () => {
  const resolve = createLabelResolver([{ name: 'set/labels.txt', text: 'AB12\r\nCD34\n\n' }]);
  assert.deepEqual(resolve('set/0.png'), { label: 'AB12', source: 'labels.txt' });
  assert.deepEqual(resolve('set/1.jpg'), { label: 'CD34', source: 'labels.txt' });
  assert.equal(resolve('set/2.png').label, undefined);
  assert.match(resolve('set/5.png').reason!, /no line 6/);
  assert.deepEqual(resolve('other/XY99.png'), { label: 'XY99', source: 'file name' });
  assert.deepEqual(parseLabelsTxt('A\nB\n'), ['A', 'B']);
});

test('labels.csv: header optional, quoted fields, relative path or base name', () => {
  const csv = 'file,label\nimg/a.png,AB12\n"b,c.png","Q""R"\n';
  assert.deepEqual([...parseLabelsCsv(csv)], [['img/a.png', 'AB12'], ['b,c.png', 'Q"R']]);
  const resolve = createLabelResolver([{ name: 'labels.csv', text: csv }]);
  assert.deepEqual(resolve('img/a.png'), { label: 'AB12', source: 'labels.csv' });
  assert.deepEqual(resolve('deep/b,c.png'), { label: 'Q"R', source: 'labels.csv' });
  assert.match(resolve('zz.png').reason!, /not listed/);
  assert.deepEqual([...parseLabelsCsv('x.png,ABC')], [['x.png', 'ABC']]);
});

test('label files and clutter are recognised', () => {
  assert.equal(labelFileKind('a/LABELS.TXT'), 'labels.txt');
  assert.equal(labelFileKind('labels.csv'), 'labels.csv');
  assert.equal(labelFileKind('labels.json'), undefined);
  assert.ok(isClutter('__MACOSX/._0.png'));
  assert.ok(isClutter('set/.DS_Store'));
  assert.ok(!isClutter('set/0.png'));
});
