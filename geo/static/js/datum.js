/* datum.js: WGS-84 -> GCJ-02, the public forward formula (same constants as geo/datum.py).
 * A Gaode basemap is drawn in GCJ-02; every overlay is redrawn through toGcj to stay on it. */
(function (G) {
  "use strict";
  var A = 6378245.0, EE = 0.00669342162296594323, PI = Math.PI;

  function gcjDelta(lon, lat) {
    var x = lon - 105.0, y = lat - 35.0;
    var dlat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(y * PI) + 40.0 * Math.sin(y / 3.0 * PI)) * 2.0 / 3.0 +
      (160.0 * Math.sin(y / 12.0 * PI) + 320.0 * Math.sin(y * PI / 30.0)) * 2.0 / 3.0;
    var dlon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x)) +
      (20.0 * Math.sin(6.0 * x * PI) + 20.0 * Math.sin(2.0 * x * PI)) * 2.0 / 3.0 +
      (20.0 * Math.sin(x * PI) + 40.0 * Math.sin(x / 3.0 * PI)) * 2.0 / 3.0 +
      (150.0 * Math.sin(x / 12.0 * PI) + 300.0 * Math.sin(x / 30.0 * PI)) * 2.0 / 3.0;
    var radlat = lat / 180.0 * PI, magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sq = Math.sqrt(magic);
    return [(dlon * 180.0) / (A / sq * Math.cos(radlat) * PI),
            (dlat * 180.0) / ((A * (1 - EE)) / (magic * sq) * PI)];
  }

  // [lat, lon] in WGS-84 -> [lat, lon] in GCJ-02
  G.toGcj = function (ll) {
    var d = gcjDelta(ll[1], ll[0]);
    return [ll[0] + d[1], ll[1] + d[0]];
  };

  // [lat, lon] in GCJ-02 -> WGS-84: the forward formula inverted by iteration (well under 1 m)
  G.fromGcj = function (gg) {
    var w = gg;
    for (var i = 0; i < 3; i++) {
      var g = G.toGcj(w);
      w = [w[0] - (g[0] - gg[0]), w[1] - (g[1] - gg[1])];
    }
    return w;
  };

  // Apply f to every [lat, lon] pair of a nested coordinate array.
  G.mapDeep = function mapDeep(c, f) {
    return (typeof c[0] === "number") ? f(c) : c.map(function (x) { return mapDeep(x, f); });
  };
})(window.GeoMap);
