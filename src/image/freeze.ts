/** Deep Object.freeze for the plain JSON objects layerfs hands out (DESIGN.md: objects handed out are frozen). */
export function deepFreeze<T>(v: T): T {
  // An explicit stack: a document nested thousands deep (parseJson allows MAX_JSON_DEPTH) must not overflow the call stack.
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== 'object' || Object.isFrozen(x) || ArrayBuffer.isView(x)) continue;
    for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
    Object.freeze(x);
  }
  return v;
}

/** A mutable deep copy of a JSON value (for building a changed document). */
export function jsonClone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
