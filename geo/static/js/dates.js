/* dates.js: what holds on the date a page shows.
 *
 * A feature may carry f.since / f.until (its boundary's span) and each role assignment
 * r.since / r.until (the span the role holds there: its plan's date, its own dates and its
 * feature's), as written ("2020-06", "2021-12-28"): a date means its first day, until is the
 * first day it no longer holds. P.at is the date shown, a "YYYY-MM-DD" key, on the timeline
 * page; other pages carry only what holds today, have no P.at, and everything on them holds.
 */
(function (G) {
  "use strict";

  // "2020-06" -> "2020-06-01", "2018" -> "2018-01-01" (keys compare as text)
  function key(d) {
    if (d == null || d === "") return null;
    var p = String(d).split("-");
    return p[0] + "-" + (p[1] || "01") + "-" + (p[2] || "01");
  }

  // [from, until] keys of a span, or null when it is open at both ends
  function span(since, until) {
    return since == null && until == null ? null : [key(since), key(until)];
  }

  function within(s, at) {
    return !s || ((s[0] == null || s[0] <= at) && (s[1] == null || at < s[1]));
  }

  // the span of a feature (r omitted) or of its role assignment r, made once
  function spanOf(o) {
    if (o.geoSpan === undefined) Object.defineProperty(o, "geoSpan", {value: span(o.since, o.until)});
    return o.geoSpan;
  }

  // Whether feature f (r omitted) or its role assignment r holds on the page's date.
  function holds(P, f, r) {
    if (!P.at) return true;
    return within(spanOf(f), P.at) && (!r || within(spanOf(r), P.at));
  }

  G.dates = {
    key: key,
    span: spanOf,
    within: within,
    holds: holds,
    // the role assignments of f that hold on the page's date
    roles: function (P, f) { return (f.roles || []).filter(function (r) { return holds(P, f, r); }); }
  };
})(window.GeoMap);
