/** `JSON.stringify` that writes bigints as strings instead of throwing. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? v.toString() : v))
}

/** A JSON response of a value. */
export function jsonResponse(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonTextResponse(toJson(value), status, headers)
}

/** A JSON response of text that is JSON already. */
export function jsonTextResponse(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { 'content-type': 'application/json', ...headers } })
}

/** A JSON object: not `null`, not an array. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
