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
    var text = atob(document.getElementById(id).textContent), n = text.length, bytes = new Uint8Array(n);
    for (var i = 0; i < n; i++) bytes[i] = text.charCodeAt(i);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
    return new Response(stream).arrayBuffer();
  }
  function doc(buf) {
    var n = new DataView(buf).getUint32(0, true);
    return JSON.parse(new TextDecoder().decode(new Uint8Array(buf, 4, n)));
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
  var assets = inflate("geo-assets"), data = inflate("geo-data");  // the code first: it runs first
  return assets.then(function (buf) {
    mark("geo-assets-inflated");
    doc(buf).assets.forEach(function (a) {
      var el = document.createElement(a[0] === "css" ? "style" : "script");
      el.setAttribute("data-asset", a[1]);
      el.textContent = a[0] === "css" ? a[2] : a[2] + "\n//# sourceURL=" + a[1];
      document.head.appendChild(el);
    });
    mark("geo-assets-run");
    return data;
  }).then(function (buf) {
    mark("geo-data-inflated");
    var doc = GeoMap.pagedata.decode(buf);
    mark("geo-data-decoded");
    return GeoMap.render(map || L.map("geo-map", options), doc);
  }).catch(fail);
}
