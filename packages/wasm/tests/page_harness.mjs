// The demo page's own script, run in Node against a minimal DOM: type into the inputs, press a button.
const elements = new Map();
const element = (id) => {
  if (!elements.has(id)) {
    elements.set(id, { id, value: "", checked: false, textContent: "", className: "", dataset: {},
                       listeners: [], addEventListener(kind, f) { this.listeners.push(f); } });
  }
  return elements.get(id);
};
globalThis.document = { getElementById: element };
const inputs = JSON.parse(process.argv[2]);
for (const [id, value, data] of inputs) Object.assign(element(id), { value, dataset: data });
await import("./page.mjs");
for (let i = 0; i < 100 && element("status").textContent !== "ready"; i++) await new Promise((r) => setTimeout(r, 20));
console.log(element("status").textContent);
for (const fn of JSON.parse(process.argv[3])) {
  element(`${fn}-run`).listeners.forEach((f) => f());
  console.log(element(`${fn}-result`).textContent, element(`${fn}-result`).className);
}
