// verify.html: checks a receipt against the signed result file whose lines
// this page embeds (#vk-file), and answers only after the checks of
// docs/formats.md ("verify.html"): Ed25519 through WebCrypto in a secure
// context (or no answer at all), the page's own refusal of S >= l and of
// small-order keys, the Merkle root recomputed from the receipts, and the
// signing key's fingerprint compared with the receipt's.
(function () {
  'use strict';

  // ---- bytes -------------------------------------------------------------

  function hexToBytes(hex) {
    if (typeof hex !== 'string' || hex.length % 2 || !/^[0-9a-f]*$/.test(hex)) return null;
    var out = new Uint8Array(hex.length / 2);
    for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
    return out;
  }
  function bytesToHex(bytes) {
    var s = '';
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? '0' : '') + bytes[i].toString(16);
    return s;
  }
  function utf8(text) { return new TextEncoder().encode(text); }
  function concat(parts) {
    var n = 0, i;
    for (i = 0; i < parts.length; i++) n += parts[i].length;
    var out = new Uint8Array(n), at = 0;
    for (i = 0; i < parts.length; i++) { out.set(parts[i], at); at += parts[i].length; }
    return out;
  }
  function equal(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  // ---- Ed25519 -----------------------------------------------------------

  // The group order l, little-endian.
  var ORDER = hexToBytes('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010');
  // Encodings of the points of order 1, 2, 4 and 8, canonical or not, with
  // the sign bit cleared (libsodium's list): a key or R among them matches
  // signatures nobody made.
  var SMALL_ORDER = [
    '0000000000000000000000000000000000000000000000000000000000000000',
    '0100000000000000000000000000000000000000000000000000000000000000',
    '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
    'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
    'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
    'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
  ].map(hexToBytes);

  function smallOrder(point) {
    var p = point.slice();
    p[31] &= 0x7f;
    return SMALL_ORDER.some(function (q) { return equal(p, q); });
  }
  function belowOrder(s) {
    for (var i = 31; i >= 0; i--) {
      if (s[i] < ORDER[i]) return true;
      if (s[i] > ORDER[i]) return false;
    }
    return false;
  }

  // WebCrypto, only in a secure context, read at each check (never cached).
  function subtleCrypto() {
    if (!window.isSecureContext) return null;
    var c = window.crypto;
    var s = c && c.subtle;
    if (!s || typeof s.importKey !== 'function' || typeof s.verify !== 'function' || typeof s.digest !== 'function') return null;
    return s;
  }

  // 'valid', 'invalid', 'weak-key', 'bad-scalar' or 'unavailable'.
  async function ed25519(publicKey, signature, message) {
    var subtle = subtleCrypto();
    if (!subtle) return 'unavailable';
    if (publicKey.length !== 32 || signature.length !== 64) return 'invalid';
    if (smallOrder(publicKey)) return 'weak-key';
    if (smallOrder(signature.subarray(0, 32))) return 'weak-key';
    if (!belowOrder(signature.subarray(32))) return 'bad-scalar';
    var key;
    try {
      key = await subtle.importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
    } catch (e) {
      return e && e.name === 'NotSupportedError' ? 'unavailable' : 'invalid';
    }
    try {
      return (await subtle.verify({ name: 'Ed25519' }, key, signature, message)) ? 'valid' : 'invalid';
    } catch (e) {
      return e && e.name === 'NotSupportedError' ? 'unavailable' : 'invalid';
    }
  }

  // ---- hashes, fingerprints, the Merkle tree ----------------------------

  async function sha(subtle, algorithm, bytes) {
    return new Uint8Array(await subtle.digest(algorithm, bytes));
  }
  async function fingerprint(subtle, publicKeyHex) {
    return bytesToHex((await sha(subtle, 'SHA-256', hexToBytes(publicKeyHex))).subarray(0, 16));
  }
  function grouped(hex) { return hex.match(/.{1,4}/g).join(' '); }

  // docs/formats.md section 10: leaf = SHA-256(0x00 || id), node =
  // SHA-256(0x01 || left || right), split at the largest power of two
  // below n. Pairing each level left to right and carrying a lone last
  // node up unchanged builds exactly that tree.
  async function merkleRoot(subtle, ids) {
    if (ids.length === 0) return sha(subtle, 'SHA-256', new Uint8Array(0));
    var level = await Promise.all(ids.map(function (id) {
      return sha(subtle, 'SHA-256', concat([new Uint8Array([0]), utf8(id)]));
    }));
    while (level.length > 1) {
      var pairs = [];
      for (var i = 0; i + 1 < level.length; i += 2) {
        pairs.push(sha(subtle, 'SHA-256', concat([new Uint8Array([1]), level[i], level[i + 1]])));
      }
      var next = await Promise.all(pairs);
      if (level.length % 2) next.push(level[level.length - 1]);
      level = next;
    }
    return level[0];
  }

  // ---- the embedded file -------------------------------------------------

  var RECEIPT = /^[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}$/;

  function damaged(why) { var e = new Error(why); e.damaged = why; return e; }

  // The lines as the page embeds them: header, signature, definition,
  // inputs (combined results), receipts; each exactly as in the file.
  function embedded() {
    var text = document.getElementById('vk-file').textContent;
    if (text.slice(-1) !== '\n') throw damaged('why_lines');
    var lines = text.slice(0, -1).split('\n');
    if (lines.length < 3) throw damaged('why_lines');
    var header, signature, definition;
    try {
      header = JSON.parse(lines[0]);
      signature = JSON.parse(lines[1]);
      definition = JSON.parse(lines[2]);
    } catch (e) { throw damaged('why_lines'); }
    var merge = header.format === 'votekiosk-merge/2';
    if (!merge && header.format !== 'votekiosk-result/2') throw damaged('why_lines');
    var inputCount = merge ? Number(header.inputs && header.inputs.count) : 0;
    var receiptCount = Number(header.receipts && header.receipts.count);
    if (!Number.isSafeInteger(inputCount) || !Number.isSafeInteger(receiptCount) || inputCount < 0 || receiptCount < 0) throw damaged('why_count');
    if (lines.length !== 3 + inputCount + receiptCount) throw damaged('why_count');
    return {
      lines: lines, header: header, signature: signature, definition: definition, merge: merge,
      inputs: lines.slice(3, 3 + inputCount), receipts: lines.slice(3 + inputCount)
    };
  }

  // ---- the receipt -------------------------------------------------------

  // Like receipt::parse: a URL's fragment, VK2:<32 hex>:<32 hex>:<id>,
  // VK1:<16 hex>:<id>, or a bare id.
  function parseReceipt(raw) {
    var text = String(raw || '').trim();
    if (!text || text.length > 2000) return { error: 'malformed' };
    var hash = text.indexOf('#');
    if (hash >= 0) {
      var url = text.slice(0, hash);
      if (url && !/^https?:\/\//i.test(url)) return { error: 'not_receipt' };
      text = text.slice(hash + 1);
    }
    try { text = decodeURIComponent(text); } catch (e) { return { error: 'not_receipt' }; }
    var parts = text.split(':');
    var out = { election: null, key: null, id: null };
    if (parts.length === 4 && parts[0].toUpperCase() === 'VK2') {
      out.election = parts[1].toLowerCase();
      out.key = parts[2].toLowerCase();
      if (!/^[0-9a-f]{32}$/.test(out.election) || !/^[0-9a-f]{32}$/.test(out.key)) return { error: 'not_receipt' };
    } else if (parts.length === 3 && parts[0].toUpperCase() === 'VK1') {
      out.election = parts[1].toLowerCase();
      if (!/^[0-9a-f]{16}$/.test(out.election)) return { error: 'not_receipt' };
    } else if (parts.length !== 1) {
      return { error: 'not_receipt' };
    }
    var s = parts[parts.length - 1].toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
    if (!/^[0-9A-HJKMNP-TV-Z]{16}$/.test(s)) return { error: 'malformed' };
    out.id = s.match(/.{4}/g).join('-');
    return out;
  }

  // ---- the check -----------------------------------------------------------

  // Each message: [class, string key, values]. The outcome names the answer
  // for tests and assistive technology alike (data-outcome).
  function stop(outcome, messages) { return { outcome: outcome, messages: messages }; }

  async function check(raw) {
    var receipt = parseReceipt(raw);
    if (receipt.error) return stop('malformed', [['bad', receipt.error]]);
    // 1. WebCrypto with Ed25519, in a secure context, or no answer.
    var subtle = subtleCrypto();
    if (!subtle) return stop('cannot-check', [['bad', 'cannot_check']]);
    var file;
    try { file = embedded(); } catch (e) { return stop('damaged', [['bad', 'damaged', { why: e.damaged || 'why_lines' }]]); }
    var header = file.header, sig = file.signature;
    var publicKey = hexToBytes(sig.public_key), value = hexToBytes(sig.value);
    if (sig.algorithm !== 'ed25519' || !publicKey || publicKey.length !== 32 || !value || value.length !== 64) {
      return stop('bad-signature', [['bad', 'bad_signature']]);
    }
    // 2. The signature over "votekiosk-signature/2" || 0x00 || header line.
    var message = concat([utf8('votekiosk-signature/2'), new Uint8Array([0]), utf8(file.lines[0])]);
    var verdict = await ed25519(publicKey, value, message);
    if (verdict === 'unavailable') return stop('cannot-check', [['bad', 'cannot_check']]);
    if (verdict === 'weak-key') return stop('weak-key', [['bad', 'weak_key']]);
    if (verdict === 'bad-scalar') return stop('bad-scalar', [['bad', 'bad_scalar']]);
    if (verdict !== 'valid') return stop('bad-signature', [['bad', 'bad_signature']]);
    // The definition line is the election's; it names the office key.
    var definitionHash = bytesToHex(await sha(subtle, 'SHA-256', utf8(file.lines[2])));
    if (definitionHash !== header.definition_hash) return stop('damaged', [['bad', 'damaged', { why: 'why_definition' }]]);
    var office = file.merge || (header.counted_by && header.counted_by.role === 'office');
    var expected = office
      ? file.definition.office && file.definition.office.signing && file.definition.office.signing.public_key
      : header.station && header.station.public_key;
    if (sig.public_key !== expected) return stop('wrong-signer', [['bad', 'wrong_signer']]);
    // 3. The receipts: valid, strictly increasing, as many as the header
    // says, and the Merkle root it gives.
    var ids = [];
    for (var i = 0; i < file.receipts.length; i++) {
      var id;
      try { id = JSON.parse(file.receipts[i]); } catch (e) { id = null; }
      if (typeof id !== 'string' || !RECEIPT.test(id) || JSON.stringify(id) !== file.receipts[i] || (i > 0 && !(ids[i - 1] < id))) {
        return stop('damaged', [['bad', 'damaged', { why: 'why_receipts' }]]);
      }
      ids.push(id);
    }
    if (ids.length !== header.receipts.count) return stop('damaged', [['bad', 'damaged', { why: 'why_count' }]]);
    var root = bytesToHex(await merkleRoot(subtle, ids));
    if (root !== header.receipts.merkle_root) return stop('bad-root', [['bad', 'damaged', { why: 'why_root' }]]);
    var stations = [], nested = false;
    if (file.merge) {
      var section = concat(file.inputs.map(function (line) { return utf8(line + '\n'); }));
      var digest = bytesToHex(await sha(subtle, 'SHA-512', section));
      if (digest !== header.inputs.sha512) return stop('damaged', [['bad', 'damaged', { why: 'why_inputs' }]]);
      for (var j = 0; j < file.inputs.length; j++) {
        var input;
        try { input = JSON.parse(file.inputs[j]); } catch (e) { input = null; }
        if (!input || !hexToBytes(input.public_key)) return stop('damaged', [['bad', 'damaged', { why: 'why_inputs' }]]);
        if (input.kind === 'station') stations.push(await fingerprint(subtle, input.public_key));
        else nested = true;
      }
    }
    // The election part of the payload.
    if (receipt.election && header.definition_hash.indexOf(receipt.election) !== 0) {
      return stop('other-election', [['bad', 'other_election']]);
    }
    // 4. The key that verified, and the receipt's station key.
    var messages = [];
    var signer = grouped(await fingerprint(subtle, sig.public_key));
    messages.push(['', office ? 'signed_by_office' : 'signed_by_station', { fp: signer }]);
    if (file.merge) {
      if (receipt.key) {
        var fp = { fp: grouped(receipt.key), count: stations.length };
        if (stations.indexOf(receipt.key) >= 0) messages.push(['good', 'input_matches', fp]);
        else if (nested) return stop('nested', messages.concat([['ask', 'nested', fp]]));
        else return stop('not-input', messages.concat([['bad', 'not_input', fp]]));
      } else {
        messages.push(['ask', 'input_compare', { count: stations.length }]);
      }
    } else {
      var station = office ? grouped(await fingerprint(subtle, header.station.public_key)) : signer;
      if (receipt.key) {
        if (grouped(receipt.key) !== station) {
          return stop('key-mismatch', messages.concat([['bad', 'key_differs', { fp: station, receipt: grouped(receipt.key) }]]));
        }
        messages.push(['good', 'key_matches', { fp: station }]);
      } else {
        messages.push(['ask', 'key_compare', { fp: station }]);
      }
    }
    // 5. Only now: included or not found.
    var found = binarySearch(ids, receipt.id);
    if (found) messages.push(['good', header.test ? 'included_test' : 'included', { id: receipt.id }]);
    else messages.push(['bad', 'not_found', { id: receipt.id }]);
    return stop(found ? 'included' : 'not-found', messages);
  }

  function binarySearch(sorted, item) {
    var lo = 0, hi = sorted.length;
    while (lo < hi) {
      var mid = (lo + hi) >>> 1;
      if (sorted[mid] === item) return true;
      if (sorted[mid] < item) lo = mid + 1; else hi = mid;
    }
    return false;
  }

  // ---- the page ------------------------------------------------------------

  var lang = 'en';
  var last = null; // the last answer, shown again in another language

  function t(key, values) {
    var text = (STRINGS[lang] && STRINGS[lang][key]) || STRINGS.en[key] || key;
    return text.replace(/\{(\w+)\}/g, function (m, name) {
      var v = values && values[name];
      if (v === undefined) return m;
      return typeof v === 'string' && /^why_/.test(v) ? t(v) : String(v);
    });
  }

  // Text with `command` spans as <code>, built without innerHTML.
  function paragraph(className, text) {
    var p = document.createElement('p');
    if (className) p.className = className;
    text.split('`').forEach(function (part, i) {
      if (i % 2) { var code = document.createElement('code'); code.textContent = part; p.appendChild(code); }
      else p.appendChild(document.createTextNode(part));
    });
    return p;
  }

  function show(result) {
    var answer = document.getElementById('answer');
    answer.textContent = '';
    answer.dataset.outcome = result ? result.outcome : '';
    if (!result) return;
    result.messages.forEach(function (m) { answer.appendChild(paragraph(m[0], t(m[1], m[2]))); });
  }

  function title(definition) {
    var titles = (definition && definition.title) || {};
    var first = definition && definition.languages && definition.languages[0] && definition.languages[0].code;
    return titles[lang] || titles[first] || Object.keys(titles).map(function (k) { return titles[k]; })[0] || '';
  }

  function render() {
    document.documentElement.lang = lang;
    document.querySelectorAll('[data-text]').forEach(function (node) {
      node.textContent = '';
      node.appendChild(fragment(t(node.dataset.text)));
    });
    document.querySelectorAll('#languages button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.lang === lang)); });
    document.getElementById('languages').setAttribute('aria-label', t('languages'));
    var file;
    try { file = embedded(); } catch (e) { file = null; }
    var election = document.getElementById('election');
    var facts = document.getElementById('facts');
    var banner = document.getElementById('banner');
    if (file) {
      var h = file.header;
      var who = file.merge ? t('who_merge', { count: file.inputs.length }) : t('who_station', { station: String(h.station && h.station.id) });
      var name = title(file.definition);
      election.textContent = t('election', { title: name, who: who });
      document.title = t('title') + ': ' + name;
      facts.textContent = t('facts', { hash: String(h.definition_hash), count: String(h.receipts && h.receipts.count), root: String(h.receipts && h.receipts.merkle_root) });
      banner.hidden = !(h.test || h.demo);
      banner.textContent = h.test ? t('test_banner') : (h.demo ? t('demo_banner') : '');
    }
    if (last) show(last);
  }

  function fragment(text) {
    var p = paragraph('', text), f = document.createDocumentFragment();
    while (p.firstChild) f.appendChild(p.firstChild);
    return f;
  }

  var runs = 0; // only the latest check's answer is shown
  function run(raw) {
    var mine = ++runs;
    last = null;
    show({ outcome: 'checking', messages: [['', 'checking']] });
    return check(raw)
      .catch(function () { return stop('damaged', [['bad', 'damaged', { why: 'why_lines' }]]); })
      .then(function (result) {
        if (mine === runs) { last = result; show(result); }
        return result;
      });
  }

  function start() {
    var file;
    try { file = embedded(); } catch (e) { file = null; }
    var offered = ((file && file.definition.languages) || []).map(function (l) { return String(l.code).split('-')[0]; })
      .filter(function (code, i, all) { return STRINGS[code] && all.indexOf(code) === i; });
    if (offered.indexOf('en') < 0) offered.unshift('en');
    var wanted = (navigator.languages || [navigator.language || 'en']).map(function (l) { return String(l).split('-')[0]; });
    lang = wanted.filter(function (l) { return offered.indexOf(l) >= 0; })[0] || offered[0];
    var box = document.getElementById('languages');
    if (offered.length > 1) {
      offered.forEach(function (code) {
        var b = document.createElement('button');
        b.type = 'button';
        b.lang = code;
        b.dataset.lang = code;
        b.textContent = STRINGS[code].language_name;
        b.addEventListener('click', function () { lang = code; render(); });
        box.appendChild(b);
      });
      box.hidden = false;
    }
    render();
    var input = document.getElementById('receipt');
    document.getElementById('form').addEventListener('submit', function (e) {
      e.preventDefault();
      run(input.value);
    });
    // A receipt in the URL (a QR holding the verification URL) is checked
    // at once, also when only the fragment changes.
    function fromFragment() {
      if (location.hash.length <= 1) return false;
      input.value = location.hash.slice(1);
      run(location.hash);
      return true;
    }
    window.addEventListener('hashchange', fromFragment);
    if (!fromFragment()) input.focus();
  }

  // For the page's tests: the same functions the check uses.
  window.votekioskVerify = Object.freeze({
    ed25519: function (publicKeyHex, signatureHex, messageHex) {
      return ed25519(hexToBytes(publicKeyHex), hexToBytes(signatureHex), hexToBytes(messageHex));
    },
    check: run,
    strings: STRINGS
  });

  start();
})();
