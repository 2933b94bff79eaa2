// Content types by file extension for the Nginx workload, as nginx's stock `mime.types`
// maps them (default_type application/octet-stream). Pure data plus one lookup; no I/O.

/** Extension (lowercase, no dot) -> media type, the subset of nginx's `mime.types` a static site uses. */
export const MIME_TYPES: Readonly<Record<string, string>> = Object.freeze({
  html: 'text/html',
  htm: 'text/html',
  css: 'text/css',
  js: 'application/javascript',
  json: 'application/json',
  txt: 'text/plain',
  xml: 'text/xml',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  wasm: 'application/wasm',
  pdf: 'application/pdf',
  woff2: 'font/woff2',
});

/** nginx `default_type`: what a file with an unknown or missing extension is served as. */
export const DEFAULT_MIME_TYPE = 'application/octet-stream';

/**
 * The media type for a path, from the extension of its last segment. Like nginx, the extension
 * is matched case-insensitively and a leading dot alone (`.bashrc`) is not an extension.
 */
export function mimeTypeFor(path: string): string {
  if (typeof path !== 'string') throw new TypeError(`mimeTypeFor: path must be a string, got ${typeof path}`);
  const slash = path.lastIndexOf('/');
  const dot = path.lastIndexOf('.');
  if (dot <= slash + 1 || dot === path.length - 1) return DEFAULT_MIME_TYPE;
  const ext = path.slice(dot + 1).toLowerCase();
  return Object.hasOwn(MIME_TYPES, ext) ? (MIME_TYPES[ext] as string) : DEFAULT_MIME_TYPE;
}
