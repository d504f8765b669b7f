/*
 * Salesforce-style record ids: a 3-character key prefix, 12 more letters and
 * digits, and a 3-character suffix that encodes which of the first 15
 * characters are upper case (so ids stay unique when compared without case).
 * SPDX-License-Identifier: Apache-2.0
 */
#include "store/internal.h"

#include <string.h>

static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char suffix_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

static void suffix(const char *id15, char out[3])
{
	for (int chunk = 0; chunk < 3; chunk++) {
		int bits = 0;
		for (int i = 0; i < 5; i++) {
			char c = id15[chunk * 5 + i];
			if (c >= 'A' && c <= 'Z')
				bits |= 1 << i;
		}
		out[chunk] = suffix_chars[bits];
	}
}

static bool alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool alnum15(const char *s)
{
	for (int i = 0; i < 15; i++)
		if (!alnum(s[i]))
			return false;
	return true;
}

int crmw_id_to18(char out[19], const char *id15)
{
	if (!out || !id15 || strlen(id15) != 15 || !alnum15(id15))
		return crmw__errf(NULL, CRMW_EINVALID, "'%s' is not a 15-character id",
				  id15 ? id15 : "(null)");
	memcpy(out, id15, 15);
	suffix(id15, out + 15);
	out[18] = '\0';
	return CRMW_OK;
}

int crmw_id_valid(const char *id, int32_t allow15)
{
	if (!id || !alnum15(id))
		return 0;
	if (id[15] == '\0')
		return allow15 ? 1 : 0;
	if (!alnum(id[15]) || !alnum(id[16]) || !alnum(id[17]) || id[18] != '\0')
		return 0;
	char s[3];
	suffix(id, s);
	return memcmp(s, id + 15, 3) == 0;
}


/*
 * prefix (3) + 2 characters from the seed + 10 base-62 digits of
 * (offset + counter), where the offset depends on seed and prefix and
 * leaves room for 2^58 ids.  Distinct counters give distinct ids; ids of one
 * object grow with the counter, like Salesforce's.
 */
static uint64_t seed_hash(uint64_t seed)
{
	return crmw__mix64(seed ^ 0x63726d77ULL);
}

static uint64_t prefix_offset(uint64_t h, const char *prefix)
{
	uint64_t p = ((uint64_t)(unsigned char)prefix[0] << 16) |
		     ((uint64_t)(unsigned char)prefix[1] << 8) | (unsigned char)prefix[2];
	return crmw__mix64(h ^ p) % (1ULL << 58);
}

void crmw__id_make(char out[19], const char *prefix, uint64_t seed, int64_t counter)
{
	uint64_t h = seed_hash(seed);
	uint64_t v = prefix_offset(h, prefix) + (uint64_t)counter;
	char id[16];
	memcpy(id, prefix, 3);
	id[3] = b62[h % 62];
	id[4] = b62[(h / 62) % 62];
	for (int i = 14; i >= 5; i--) {
		id[i] = b62[v % 62];
		v /= 62;
	}
	id[15] = '\0';
	memcpy(out, id, 15);
	suffix(id, out + 15);
	out[18] = '\0';
}

static int b62_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 36;
	return -1;
}

void crmw__id_form(crmw_idform *f, const char *prefix, uint64_t seed)
{
	uint64_t h = seed_hash(seed);
	memcpy(f->head, prefix, 3);
	f->head[3] = b62[h % 62];
	f->head[4] = b62[(h / 62) % 62];
	f->offset = prefix_offset(h, prefix);
}

bool crmw__id_counter_of(const char id[18], const crmw_idform *f, int64_t *counter)
{
	if (memcmp(id, f->head, 5) != 0)
		return false;
	uint64_t v = 0;
	for (int i = 5; i < 15; i++) {
		int d = b62_value(id[i]);
		if (d < 0)
			return false;
		v = v * 62 + (uint64_t)d;
	}
	char s[3];
	suffix(id, s);
	if (memcmp(s, id + 15, 3) != 0 || v < f->offset)
		return false;
	*counter = (int64_t)(v - f->offset);
	return true;
}
