// The site Nginx serves unless told otherwise (run.js --www): a default index page and a few small
// files, packed into the image's initrd, and served from the host's disk by the real nginx.

import { fileURLToPath } from 'node:url';

/** workloads/nginx/www in the source tree (this file runs from dist/workloads/nginx/). */
export const NGINX_SITE = fileURLToPath(new URL('../../../workloads/nginx/www', import.meta.url));
