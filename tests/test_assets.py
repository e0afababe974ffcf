"""What the build inlines: our modules without their comments and indentation, nothing else
changed (geo.assets.compact)."""

from __future__ import annotations

from geo.assets import CSS_MODULES, JS_MODULES, STATIC, compact, page_assets


def test_js_loses_only_whole_line_comments_and_indentation():
    src = ('/* a module\n * about x */\n(function () {\n  // a note\n  var u = "http://x//y"; // kept\n'
           '  /* inline */ f();\n  var s = "/* not a comment */";\n\n})();\n')
    assert compact(src, "js") == ('(function () {\nvar u = "http://x//y"; // kept\n/* inline */ f();\n'
                                  'var s = "/* not a comment */";\n})();\n')


def test_a_comment_ends_at_its_first_close():
    # "/* a */ code" must keep its code, whatever comment closes a later line
    src = "/* a */ keep();\n/* b */\n"
    assert compact(src, "js") == "/* a */ keep();\n"


def test_js_with_a_template_literal_is_left_alone():
    src = "var s = `line\n  // inside the string\n`;\n"
    assert compact(src, "js") == src
    # a backtick in a comment is no template literal
    assert compact("// the `G` namespace\nvar G;\n", "js") == "var G;\n"


def test_css_keeps_its_selectors():
    src = ("/* look */\n.a .b:focus-visible,\n.c { color: #222;  margin: 0 0 6px; }\n"
           "@media (max-width: 599px) {\n  .d { x: y; }\n}\n")
    assert compact(src, "css") == (".a .b:focus-visible,.c{color:#222;margin:0 0 6px;}"
                                   "@media (max-width: 599px){.d{x:y;}}\n")


def test_the_page_carries_every_module_compacted():
    assets = {name: text for kind, name, text, inline in page_assets() if inline}
    for name in JS_MODULES:
        raw = (STATIC / "js" / f"{name}.js").read_text(encoding="utf-8")
        assert assets[f"js/{name}.js"] == compact(raw, "js")
        assert len(assets[f"js/{name}.js"]) < len(raw)
    for name in CSS_MODULES:
        raw = (STATIC / "css" / f"{name}.css").read_text(encoding="utf-8")
        assert assets[f"css/{name}.css"] == compact(raw, "css")


def test_the_assets_element_holds_each_text_as_utf8_bytes_in_load_order():
    """The pages' assets element: a JSON head naming each asset, then each text as its own UTF-8
    section (boot.js decodes them straight), in load order; it unpacks to what page_assets gives."""
    import re

    from geo.pagedata import pack_assets, unpack, unpack_assets
    from geo.render import _page_assets

    text = _page_assets(False)[1]
    want = [(k, n, c) for k, n, c, inline in page_assets() if inline]
    assert unpack_assets(text) == want
    head, sections = unpack(text)
    assert head == {"assets": [[k, n] for k, n, _c in want]}
    assert list(sections) == [n for _k, n, _c in want]
    assert all(sections[n] == c.encode("utf-8") for _k, n, c in want)
    # non-ASCII text (the modules' Chinese strings, a quote, a backslash) comes back whole
    odd = [("js", "a.js", 'var s = "长春 \\" </script>";'), ("css", "b.css", ".x::after { content: '→'; }")]
    assert unpack_assets(pack_assets(odd)) == odd
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", pack_assets(odd))
