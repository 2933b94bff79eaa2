// Writes a run report page beside whatever else the run left: the page links the preset's CPU
// profiles when profile.js made them in its default place (profiles/<preset>/index.html).

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { runReportHtml } from './html.js';

/** Writes `json`'s page to `file`; returns the profiles' link when there was one to make. */
export async function writeRunReport(json: Record<string, unknown>, file: string, options: { readonly profiles?: string } = {}): Promise<{ readonly profiles?: string }> {
  const index = resolve(options.profiles ?? 'profiles', String(json['preset']), 'index.html');
  const link = existsSync(index) ? relative(dirname(resolve(file)), index).split('\\').join('/') : undefined;
  const html = await runReportHtml(json, link === undefined ? {} : { profiles: link });
  mkdirSync(dirname(resolve(file)), { recursive: true });
  writeFileSync(file, html);
  return link === undefined ? {} : { profiles: link };
}

