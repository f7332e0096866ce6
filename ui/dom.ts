/** What `h` accepts as children: nodes, text (always as text, never parsed as HTML) and gaps. */
export type Child = Node | string | number | false | null | undefined | readonly Child[]

/** Attributes; `on<event>` names a listener, `true` an empty attribute, `false`/`undefined` leaves it out. */
export type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>

/**
 * Creates an element. Every string becomes a text node (`append`), never markup: a config value such as
 * `<img src=x onerror=alert(1)>` is shown, not run. The page has no other way of putting text in the DOM.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag)
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2), value)
    else if (value === true) el.setAttribute(name, '')
    else if (value !== undefined && value !== false) el.setAttribute(name, String(value))
  }
  el.append(...flatten(children))
  return el
}

/** Replaces an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...flatten(children))
}

// --- internal ---

function flatten(children: readonly Child[]): (Node | string)[] {
  const out: (Node | string)[] = []
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue
    if (Array.isArray(child)) out.push(...flatten(child))
    else out.push(typeof child === 'number' ? String(child) : (child as Node | string))
  }
  return out
}
