/*
 * A tiny template language for generated text: "[a|b]" chooses, "{x}" fills.
 * SPDX-License-Identifier: Apache-2.0
 */
#include "gen/internal.h"

#include <string.h>

static int render_span(crmw_buf *out, rng *r, const char *s, size_t n, const slot *slots, int nslots, int depth)
{
	if (depth > 8)
		return crmw__buf_append(out, s, n);
	size_t i = 0;
	while (i < n) {
		char c = s[i];
		if (c == '[') {
			/* Find the matching ']' and the top-level '|'s. */
			size_t starts[32], ends[32];
			int k = 0, lvl = 0;
			size_t j = i + 1, seg = i + 1;
			for (; j < n; j++) {
				if (s[j] == '[')
					lvl++;
				else if (s[j] == ']') {
					if (lvl == 0)
						break;
					lvl--;
				} else if (s[j] == '|' && lvl == 0 && k < 31) {
					starts[k] = seg;
					ends[k++] = j;
					seg = j + 1;
				}
			}
			starts[k] = seg;
			ends[k++] = j < n ? j : n;
			int pick = (int)rng_below(r, (uint32_t)k);
			int rc = render_span(out, r, s + starts[pick], ends[pick] - starts[pick], slots, nslots, depth + 1);
			if (rc)
				return rc;
			i = j < n ? j + 1 : n;
			continue;
		}
		if (c == '{') {
			const char *close = memchr(s + i, '}', n - i);
			if (close) {
				size_t len = (size_t)(close - (s + i + 1));
				for (int k = 0; k < nslots; k++) {
					if (strlen(slots[k].name) == len && memcmp(slots[k].name, s + i + 1, len) == 0) {
						if (crmw__buf_puts(out, slots[k].value ? slots[k].value : ""))
							return CRMW_ENOMEM;
						break;
					}
				}
				i = (size_t)(close - s) + 1;
				continue;
			}
		}
		if (crmw__buf_putc(out, c))
			return CRMW_ENOMEM;
		i++;
	}
	return CRMW_OK;
}

int crmw__render(crmw_buf *out, rng *r, const char *tmpl, const slot *slots, int nslots)
{
	return render_span(out, r, tmpl, strlen(tmpl), slots, nslots, 0);
}
