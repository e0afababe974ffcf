/* boot.js: the page's one plain script. The page carries its assets (Leaflet, our stylesheets
 * and modules) and its data packed: deflated, in base64, inside inert script elements of type
 * application/octet-stream (geo/pagedata.py). This inflates both with the browser's
 * DecompressionStream, adds each stylesheet and script in order (a script
 * element whose text is set runs at once), makes the Leaflet map and hands it the data.
 * Given a map (a folium page's, geo/notebook.py), it draws on that one instead.
 */
function GeoBoot(options, map) {
  "use strict";
  function inflate(id) {
    var text = document.getElementById(id).textContent, bytes;
    if (Uint8Array.fromBase64) {  // the browser's own decoder, where it has one: quicker
      bytes = Uint8Array.fromBase64(text);
    } else {
      text = atob(text);
      bytes = new Uint8Array(text.length);
      for (var i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    }
    // written straight into the stream (a Blob's stream would go through the browser process)
    var inflater = new DecompressionStream("deflate-raw"), writer = inflater.writable.getWriter();
    writer.write(bytes).catch(function () {});  // a failure shows where the inflated bytes are read
    writer.close().catch(function () {});
    return new Response(inflater.readable).arrayBuffer();
  }
  // the assets, [kind, name, text] each in load order: a JSON head naming them, then each text
  // as UTF-8 bytes (geo/pagedata.py pack_assets), decoded straight, not parsed out of JSON
  function assets(buf) {
    var n = new DataView(buf).getUint32(0, true), base = 4 + n, utf8 = new TextDecoder();
    var head = JSON.parse(utf8.decode(new Uint8Array(buf, 4, n)));
    return head.assets.map(function (a) {
      var b = head.blobs[a[1]];
      return [a[0], a[1], utf8.decode(new Uint8Array(buf, base + b[0], b[1]))];
    });
  }
  function fail(e) {
    var box = document.createElement("p");
    box.style.cssText = "position:absolute;top:1em;left:1em;right:1em;z-index:2000;background:#fff;padding:1em;font:16px sans-serif";
    box.textContent = "This map could not be drawn (" + (e && e.message || e) + "). It needs a current browser " +
      "(Chrome or Edge 103, Firefox 113, Safari 16.4 or later).";
    document.body.appendChild(box);
    throw e;
  }
  function mark(name) { if (window.performance && performance.mark) performance.mark(name); }
  if (typeof DecompressionStream === "undefined") return fail(new Error("no DecompressionStream"));
  mark("geo-boot");
  // Unpacked once the document is parsed: begun sooner, the unpacking (quick, in this page)
  // would put the drawing before the end of parsing, and "load" after the first frames
  var parsed = document.readyState !== "loading" ? Promise.resolve() : new Promise(function (done) {
    document.addEventListener("DOMContentLoaded", done);
  });
  // Both inflated before anything runs: the code, the decoding and the drawing then run as one
  // task, with no frame painted between them (a frame of nothing, which only delays the map)
  var inflated = parsed.then(function () {
    function marked(name) { return function (buf) { mark(name); return buf; }; }
    return Promise.all([inflate("geo-assets").then(marked("geo-assets-inflated")),
                        inflate("geo-data").then(marked("geo-data-inflated"))]);
  });
  return inflated.then(function (bufs) {
    mark("geo-inflated");
    assets(bufs[0]).forEach(function (a) {
      var el = document.createElement(a[0] === "css" ? "style" : "script");
      el.setAttribute("data-asset", a[1]);
      el.textContent = a[0] === "css" ? a[2] : a[2] + "\n//# sourceURL=" + a[1];
      document.head.appendChild(el);
    });
    mark("geo-assets-run");
    var data = GeoMap.pagedata.decode(bufs[1]);
    mark("geo-data-decoded");
    return GeoMap.render(map || L.map("geo-map", options), data);
  }).catch(fail);
}
