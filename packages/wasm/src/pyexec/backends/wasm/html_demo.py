"""The demo page: one input per parameter and a button per function, showing the result or the error.

Element ids are stable so that tests (and users) can drive the page: ``<fn>-<param>`` for inputs,
``<fn>-run`` for buttons, ``<fn>-result`` for outputs, and ``#status`` says ``ready`` once loaded.
Names are escaped for where they land: ``html.escape`` in text and attributes, :func:`js_string` inside
the ``<script>`` (where character references are not decoded), percent-encoding in the glue's URL.

Example:
    >>> from pyexec.backends.wasm.signature import ExportSignature
    >>> 'id="square-x"' in demo_html("square", "square.js", "loadSquare", [ExportSignature.parse("square(x:int)->int")])
    True
"""

from __future__ import annotations

import html

from pyexec.backends.wasm.js_glue import js_string, js_value, relative_url
from pyexec.backends.wasm.signature import ExportSignature, array_info, scalar_info, tuple_items


def _input(function: str, name: str, type_name: str) -> str:
    ident = html.escape(f"{function}-{name}")
    label = f'<label for="{ident}">{html.escape(name)} <small>({html.escape(type_name)})</small></label>'
    if type_name == "str":  # the text as typed, spaces included
        return f'{label} <input type="text" id="{ident}" value="" data-kind="str">'
    items = tuple_items(type_name)
    if items is not None:  # one text field, items separated by commas: "3, 2.5"
        kinds = ",".join("bool" if scalar_info(t).is_bool else "float" if scalar_info(t).is_float else "int"
                         for t in items)
        zeros = ", ".join("0" for _ in items)
        return (f'{label} <input type="text" id="{ident}" value="{zeros}" data-kind="tuple" '
                f'data-items="{kinds}">')
    array = array_info(type_name)
    if array is not None:  # 1-D: numbers separated by commas; n-D: nested JSON arrays
        element = scalar_info(array[0])
        kind = ("bool" if element.is_bool else "complex" if element.is_complex else "float" if element.is_float
                else "int")
        if element.is_complex:  # Python's complex literals: 1+2j, 3-4j, 5j (strings in nested JSON)
            value = "1+2j, 3-4j, 5j" if array[1] == 1 else '[["1+2j", "3"], ["-4j", "5-6j"]]'
        else:
            value = "1, 2, 3" if array[1] == 1 else "[[1, 2], [3, 4]]"
        return (f'{label} <input type="text" id="{ident}" value="{value}" data-kind="array" '
                f'data-element="{kind}" data-ndim="{array[1]}">')
    info = scalar_info(type_name)
    if info.is_bool:
        return f'{label} <input type="checkbox" id="{ident}" data-kind="bool">'
    if info.is_float:
        return f'{label} <input type="text" inputmode="decimal" id="{ident}" value="0" data-kind="float">'
    return f'{label} <input type="text" inputmode="numeric" id="{ident}" value="0" data-kind="int">'


def demo_html(stem: str, js_file: str, loader: str, signatures: list[ExportSignature]) -> str:
    """The demo page for ``<stem>.wasm``, importing the glue ``js_file``."""
    title = html.escape(stem)
    sections = []
    for sig in signatures:
        fn = html.escape(sig.name)
        inputs = "\n      ".join(_input(sig.name, p.name, p.type) for p in sig.params)
        doc = html.escape(f"{sig.name}({', '.join(f'{p.name}: {p.type}' for p in sig.params)}) -> {sig.result}")
        result = array_info(sig.result)
        # a complex array result: its numbers are (re, im) pairs, shown as Python prints complex numbers
        complex_bits = (f' data-complex="{scalar_info(result[0]).bits}"'
                        if result and result[0].startswith("complex") else "")
        sections.append(f"""  <section class="function">
    <h2><code>{doc}</code></h2>
    <div class="inputs">
      {inputs}
    </div>
    <button id="{fn}-run" data-function="{fn}">Run {fn}</button>
    <p>Result: <output id="{fn}-result"{complex_bits}></output></p>
  </section>""")
    body = "\n".join(sections)
    # Pairs, not an object literal, so a function named __proto__ is listed like any other.
    params = js_value([[s.name, [p.name for p in s.params]] for s in signatures])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title} - WASM Demo</title>
  <style>
    body {{ font-family: system-ui, sans-serif; max-width: 50rem; margin: 2rem auto; padding: 0 1rem; }}
    section.function {{ border: 1px solid #ccc; border-radius: 6px; padding: 0.5rem 1rem; margin: 1rem 0; }}
    .inputs {{ display: grid; grid-template-columns: max-content 1fr; gap: 0.4rem 0.8rem; margin: 0.5rem 0; }}
    output.error {{ color: #b00020; }}
    #log {{ background: #f6f6f6; padding: 0.5rem; min-height: 1.5rem; white-space: pre-wrap; }}
  </style>
</head>
<body>
  <h1>{title}.wasm</h1>
  <p>Status: <span id="status">loading…</span></p>
{body}
  <h2>print() output</h2>
  <pre id="log"></pre>
  <script type="module">
    import {{ {loader}, formatComplex64, formatComplex128 }} from {js_string(relative_url(js_file))};
    const PARAMS = {params};
    const status = document.getElementById("status");
    const log = document.getElementById("log");

    function readInput(element) {{
      if (element.dataset.kind === "bool") return element.checked;
      if (element.dataset.kind === "str") return element.value;
      if (element.dataset.kind === "tuple") {{
        const kinds = element.dataset.items.split(",");
        const parts = element.value.split(",");
        if (parts.length !== kinds.length) {{
          throw new Error(`${{element.id}}: give ${{kinds.length}} items, separated by commas`);
        }}
        return parts.map((part, i) => readText(element.id, kinds[i], part.trim()));
      }}
      if (element.dataset.kind === "array") {{
        const kind = element.dataset.element;
        if (element.dataset.ndim === "1") {{
          const text = element.value.trim();
          return text === "" ? [] : text.split(",").map((part) => readText(element.id, kind, part.trim()));
        }}
        let nested;
        try {{
          nested = JSON.parse(element.value);
        }} catch (err) {{
          throw new Error(`${{element.id}}: give nested arrays of numbers, such as [[1, 2], [3, 4]]`);
        }}
        // complex items may be strings such as "1+2j": each becomes an [re, im] pair
        const complexItems = (v) => (Array.isArray(v) ? v.map(complexItems)
          : typeof v === "string" ? readText(element.id, "complex", v.trim()) : v);
        return kind === "complex" ? complexItems(nested) : nested;
      }}
      return readText(element.id, element.dataset.kind, element.value.trim());
    }}

    function readText(id, kind, text) {{
      if (kind === "bool") return !["", "0", "false", "False"].includes(text);
      if (kind === "complex") {{  // Python's literals: 1.5, 2j, -1-2.5j, (3+4j), 1e3-2e-3j, inf+nanj
        const bad = () => new Error(`${{id}}: ${{JSON.stringify(text)}} is not a complex number such as 1+2j`);
        const body = text.replace(/^\\((.*)\\)$/, "$1").replace(/\\s+/g, "");
        const part = (t) => {{
          if (!/^[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?$|^[+-]?(inf|nan)$/i.test(t)) throw bad();
          return Number(t.toLowerCase().replace("inf", "Infinity").replace("nan", "NaN"));
        }};
        if (!/[jJ]$/.test(body)) return [part(body), 0];
        const imag = body.slice(0, -1);
        let k = imag.length - 1;  // where the imaginary part starts: its sign, not an exponent's
        while (k > 0 && !("+-".includes(imag[k]) && !"eE".includes(imag[k - 1]))) k--;
        const unit = (t) => (t === "" || t === "+" ? 1 : t === "-" ? -1 : part(t));
        return k > 0 ? [part(imag.slice(0, k)), unit(imag.slice(k))] : [0, unit(imag)];
      }}
      if (kind === "float") {{
        const value = Number(text);
        if (text === "" || Number.isNaN(value) && text.toLowerCase() !== "nan") {{
          throw new Error(`${{id}}: ${{JSON.stringify(text)}} is not a number`);
        }}
        return value;
      }}
      if (!/^[+-]?\\d+$/.test(text)) throw new Error(`${{id}}: ${{JSON.stringify(text)}} is not an integer`);
      return BigInt(text.replace("+", ""));
    }}

    try {{
      const module = await {loader}(undefined, {{ print: (line) => {{ log.textContent += line + "\\n"; }} }});
      for (const [name, params] of PARAMS) {{
        const output = document.getElementById(`${{name}}-result`);
        document.getElementById(`${{name}}-run`).addEventListener("click", () => {{
          try {{
            const args = params.map((p) => readInput(document.getElementById(`${{name}}-${{p}}`)));
            const result = module.functions[name](...args);
            const show = (v) => (typeof v === "boolean" ? (v ? "True" : "False") : String(v));
            const bits = output.dataset.complex;  // complex: (re, im) pairs and a shape that ends with 2
            const items = !ArrayBuffer.isView(result) ? [] : !bits ? Array.from(result, show)
              : Array.from({{ length: result.length / 2 }}, (_, i) =>
                (bits === "64" ? formatComplex64 : formatComplex128)(result[2 * i], result[2 * i + 1]));
            const shape = !ArrayBuffer.isView(result) ? [] : bits ? result.shape.slice(0, -1) : result.shape;
            output.textContent = Array.isArray(result)  // a tuple, shown as Python prints it
              ? `(${{result.map(show).join(", ")}}${{result.length === 1 ? "," : ""}})`
              : ArrayBuffer.isView(result)  // an array: its elements in C order, and its shape
              ? `[${{items.join(", ")}}] shape (${{shape.join(", ")}}${{shape.length === 1 ? "," : ""}})`
              : show(result);
            output.className = "ok";
          }} catch (err) {{
            output.textContent = err.message;
            output.className = "error";
          }}
        }});
      }}
      status.textContent = "ready";
    }} catch (err) {{
      status.textContent = `failed to load: ${{err.message}}`;
    }}
  </script>
</body>
</html>
"""
