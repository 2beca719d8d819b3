/**
 * The web page served at `/`: drop or pick an image to read it (text and a confidence per
 * character), or a zip archive to score it (accuracies, a confusion chart, the misread images).
 * A model selector fed by GET /models (shown when the server holds several) and an optional
 * charset field add `?model=` and `?charset=` to both.
 * Plain HTML and JavaScript in a string, so every runtime serves it without file access.
 */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>captcha-ocr</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Crect width='16' height='16' rx='3' fill='%234a6cf7'/%3E%3Ctext x='8' y='12.5' font-size='11' font-family='monospace' font-weight='bold' text-anchor='middle' fill='white'%3EA%3C/text%3E%3C/svg%3E">
<style>
:root{--ink:#1d2433;--muted:#6b7280;--ok:#1e8e3e;--bad:#c0392b;--line:#d9dde5}
body{font:15px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:var(--ink);background:#f6f7fb}
main{max-width:980px;margin:0 auto;padding:24px}
h1{margin:0 0 4px;font-size:24px}
.sub{color:var(--muted);margin:0 0 18px}
#drop{border:2px dashed #9aa3b5;border-radius:12px;background:#fff;padding:36px;text-align:center;cursor:pointer;transition:background .15s}
#drop.over{background:#eef3ff;border-color:#4a6cf7}
#drop b{color:#4a6cf7}
.row{display:flex;gap:12px;align-items:center;margin:12px 0;flex-wrap:wrap}
.row label{color:var(--muted);font-size:13px}
input[type=password],input[type=text],select{padding:4px 8px;border:1px solid var(--line);border-radius:6px;font:inherit}
#status{color:var(--muted);min-height:1.4em}
#status.error{color:var(--bad)}
.panel{background:#fff;border:1px solid var(--line);border-radius:12px;padding:18px;margin-top:16px}
#preview{max-width:100%;image-rendering:pixelated;border:1px solid var(--line);border-radius:6px;min-width:240px}
.text{font:600 36px ui-monospace,SFMono-Regular,Menlo,monospace;letter-spacing:2px}
.chars{display:flex;gap:6px;flex-wrap:wrap;margin-top:8px}
.ch{border:1px solid var(--line);border-radius:8px;padding:6px 10px;text-align:center;min-width:38px}
.ch .c{font:600 24px ui-monospace,monospace}
.ch .p{font-size:12px;color:var(--muted)}
.meter{height:4px;background:#e5e7eb;border-radius:2px;margin-top:4px}
.meter i{display:block;height:4px;border-radius:2px}
.cards{display:flex;gap:12px;flex-wrap:wrap}
.card{border:1px solid var(--line);border-radius:10px;padding:10px 16px;min-width:140px}
.card b{display:block;font-size:26px}
.card span{color:var(--muted);font-size:13px}
table{border-collapse:collapse}
td,th{padding:3px 10px;text-align:left;font-size:14px}
.bar{height:14px;background:var(--bad);border-radius:3px;min-width:2px}
.mono{font-family:ui-monospace,monospace}
.grid{display:flex;flex-wrap:wrap;gap:10px}
figure{margin:0;border:1px solid var(--line);border-radius:8px;padding:6px;background:#fff}
figure img{display:block;max-width:200px;image-rendering:pixelated}
figcaption{font-size:13px}
.bad{color:var(--bad)}.ok{color:var(--ok)}
.hidden{display:none}
</style>
</head>
<body>
<main>
<h1>captcha-ocr</h1>
<p class="sub" id="model">Loading the model&hellip;</p>
<div id="drop" tabindex="0" role="button" aria-label="Drop or pick an image or a zip archive">
  <p><b>Drop an image</b> to read it, or <b>a zip archive</b> of labelled images to score the model.</p>
  <p class="sub">PNG, JPEG, GIF, WebP, BMP &middot; zip with labels.txt, labels.csv or labels in the file names</p>
  <input type="file" id="file" accept="image/*,.zip,application/zip" hidden>
</div>
<div class="row"><label for="key">API key (if the server needs one)</label><input type="password" id="key" autocomplete="off"></div>
<div class="row"><span id="modelRow" class="hidden"><label for="modelSel">Model</label> <select id="modelSel"></select></span>
<label for="charset">Only these characters (optional)</label><input type="text" id="charset" placeholder="e.g. 0123456789" autocomplete="off" spellcheck="false"></div>
<div id="status" role="status"></div>
<section id="decode" class="panel hidden">
  <div class="row"><img id="preview" alt="the image"><div><div class="text mono" id="text"></div><div class="sub" id="conf"></div></div></div>
  <div class="chars" id="chars"></div>
</section>
<section id="score" class="panel hidden">
  <div class="cards" id="cards"></div>
  <h3>Accuracy per position</h3><table id="positions"></table>
  <h3>Most frequent confusions</h3><table id="confusions"></table>
  <h3 id="misreadTitle">Misread images</h3><div class="grid" id="misread"></div>
  <div id="failed"></div>
</section>
</main>
<script>
(function () {
  var $ = function (id) { return document.getElementById(id); };
  var keyInput = $('key');
  try { keyInput.value = localStorage.getItem('captcha-ocr-key') || ''; } catch (e) {}
  keyInput.addEventListener('change', function () { try { localStorage.setItem('captcha-ocr-key', keyInput.value); } catch (e) {} loadModels(); });
  var modelSel = $('modelSel');
  var models = [];
  function headers(type) {
    var h = {};
    if (type) h['content-type'] = type;
    if (keyInput.value) h['x-api-key'] = keyInput.value;
    return h;
  }
  // the route with ?model= (the selected one) and ?charset= (if given), then any other parameters
  function route(path, params) {
    var q = [];
    if (modelSel.value) q.push('model=' + encodeURIComponent(modelSel.value));
    var chars = $('charset').value.trim();
    if (chars) q.push('charset=' + encodeURIComponent(chars));
    if (params) q.push(params);
    return path + (q.length ? '?' + q.join('&') : '');
  }
  function pct(x) { return (x * 100).toFixed(1) + '%'; }
  function esc(s) { var d = document.createElement('div'); d.textContent = String(s); return d.innerHTML; }
  function status(msg, isError) { var s = $('status'); s.textContent = msg; s.className = isError ? 'error' : ''; }
  function colour(p) { return p > 0.9 ? 'var(--ok)' : p > 0.6 ? '#d4a017' : 'var(--bad)'; }
  async function call(url, file, type) {
    var res = await fetch(url, { method: 'POST', headers: headers(type), body: file });
    var body = await res.json().catch(function () { return null; });
    if (!res.ok) throw new Error(body && body.error ? body.error.code + ': ' + body.error.message : 'HTTP ' + res.status);
    return body;
  }
  function showModel() {
    var m = models.filter(function (x) { return x.name === modelSel.value; })[0];
    $('model').textContent = m ? 'Model ' + m.metadata.name + ' · ' + m.metadata.input.width + 'x' + m.metadata.input.height + ' input · ' + m.metadata.charset.length + ' characters · ' + m.predictor.runtime + ' (' + m.predictor.provider + ')' + (m.secondLook ? ' · second look ' + m.secondLook.metadata.name + ' (' + m.secondLook.metadata.input.width + 'x' + m.secondLook.metadata.input.height + ') where it reads ' + m.secondLook.chars.split('').join('/') + ' or a character below ' + m.secondLook.below : '') : '';
  }
  function loadModels() {
    fetch('models', { headers: headers() }).then(function (r) { return r.json(); }).then(function (b) {
      if (!b || !b.models) { $('model').textContent = 'Model information needs the API key.'; return; }
      models = b.models;
      modelSel.textContent = '';
      function option(value, text, title) {
        var o = document.createElement('option');
        o.value = value;
        o.textContent = text;
        if (title) { o.disabled = true; o.title = title; }
        modelSel.appendChild(o);
      }
      models.forEach(function (m) { option(m.name, m.name + ' (' + m.metadata.name + ', ' + m.metadata.charset.length + ' characters)'); });
      b.failed.forEach(function (f) { option('', f.name + ' (failed to load: ' + f.error.code + ')', f.error.message); });
      modelSel.value = models.some(function (m) { return m.name === b.default; }) ? b.default : models[0].name;
      $('modelRow').classList.toggle('hidden', models.length + b.failed.length < 2);
      showModel();
    }).catch(function () { $('model').textContent = ''; });
  }
  modelSel.addEventListener('change', showModel);
  loadModels();
  async function decode(file) {
    $('score').classList.add('hidden');
    status('Reading ' + file.name + '…');
    var url = URL.createObjectURL(file);
    $('preview').src = url;
    var t0 = performance.now();
    var r = await call(route('decode'), file, file.type || 'application/octet-stream');
    $('decode').classList.remove('hidden');
    $('text').textContent = r.text || '(nothing read)';
    $('conf').textContent = 'confidence ' + pct(r.confidence) + ' · ' + Math.round(performance.now() - t0) + ' ms';
    $('chars').innerHTML = r.characters.map(function (c) {
      return '<div class="ch"><div class="c">' + esc(c.char) + '</div><div class="p">' + pct(c.confidence) + '</div><div class="meter"><i style="width:' + (c.confidence * 100).toFixed(1) + '%;background:' + colour(c.confidence) + '"></i></div></div>';
    }).join('');
    status('');
  }
  async function score(file) {
    $('decode').classList.add('hidden');
    status('Scoring ' + file.name + '…');
    var r = await call(route('score', 'details=1&images=1'), file, 'application/zip');
    $('score').classList.remove('hidden');
    $('cards').innerHTML = [
      [pct(r.sequenceAccuracy), 'sequence accuracy'], [pct(r.characterAccuracy), 'character accuracy'],
      [pct(r.characterErrorRate), 'character error rate'], [r.scored + ' / ' + r.total, 'images scored'],
      [r.imagesPerSecond + '/s', 'images per second']
    ].map(function (c) { return '<div class="card"><b>' + c[0] + '</b><span>' + c[1] + '</span></div>'; }).join('');
    $('positions').innerHTML = '<tr>' + r.positionAccuracy.map(function (p) { return '<th>' + (p.position + 1) + '</th>'; }).join('') + '</tr><tr>' +
      r.positionAccuracy.map(function (p) { return '<td>' + pct(p.accuracy) + '</td>'; }).join('') + '</tr>';
    var max = Math.max.apply(null, [1].concat(r.confusions.map(function (c) { return c.count; })));
    $('confusions').innerHTML = r.confusions.length ? r.confusions.map(function (c) {
      return '<tr><td class="mono">' + esc(c.truth) + ' &rarr; ' + esc(c.predicted) + '</td><td style="width:320px"><div class="bar" style="width:' + (c.count / max * 100).toFixed(1) + '%"></div></td><td>' + c.count + '</td></tr>';
    }).join('') : '<tr><td>none</td></tr>';
    var mis = (r.rows || []).filter(function (x) { return x.correct === false; });
    $('misreadTitle').textContent = 'Misread images (' + mis.length + ')';
    $('misread').innerHTML = mis.slice(0, 300).map(function (x) {
      return '<figure>' + (x.image ? '<img src="' + x.image + '" alt="' + esc(x.file) + '">' : '') + '<figcaption>' + esc(x.file) + '<br>truth <b class="mono ok">' + esc(x.truth) + '</b> read <b class="mono bad">' + esc(x.predicted) + '</b></figcaption></figure>';
    }).join('') || 'none';
    $('failed').innerHTML = r.failed.length ? '<h3>Failed (' + r.failed.length + ')</h3><ul>' + r.failed.slice(0, 100).map(function (f) { return '<li>' + esc(f.file) + ': ' + esc(f.reason) + '</li>'; }).join('') + '</ul>' : '';
    status('');
  }
  function handle(file) {
    if (!file) return;
    var isZip = /\\.zip$/i.test(file.name) || /zip/.test(file.type);
    (isZip ? score(file) : decode(file)).catch(function (e) { status(e.message, true); });
  }
  var drop = $('drop');
  drop.addEventListener('click', function () { $('file').click(); });
  drop.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') $('file').click(); });
  $('file').addEventListener('change', function (e) { handle(e.target.files[0]); e.target.value = ''; });
  drop.addEventListener('dragover', function (e) { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', function () { drop.classList.remove('over'); });
  drop.addEventListener('drop', function (e) { e.preventDefault(); drop.classList.remove('over'); handle(e.dataTransfer.files[0]); });
})();
</script>
</body>
</html>
`;
